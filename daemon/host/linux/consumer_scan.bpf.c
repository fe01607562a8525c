// SPDX-License-Identifier: GPL-2.0-only
// The consumer scan in the kernel: BPF iterators walk every task's files, memory mappings and
// cwd/root/exe, and write a record only for what the query matches. One read(2) of each
// iterator answers for the whole system, where a /proc scan costs a dozen syscalls per process.
//
// The kernel types are declared here with only the fields read; preserve_access_index makes
// libbpf relocate each field to the running kernel's layout (CO-RE, from its BTF), so no
// vmlinux.h from the build machine is needed.
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "daemon/host/linux/consumer_scan_record.h"

#define CORE __attribute__((preserve_access_index))

struct super_block {
  __u32 s_dev;
} CORE;
struct inode {
  __u16 i_mode;
  unsigned int i_flags;
  struct super_block* i_sb;
  unsigned long i_ino;
  __u32 i_rdev;
} CORE;
struct dentry {
  struct inode* d_inode;
} CORE;
struct vfsmount;
struct path {
  struct vfsmount* mnt;
  struct dentry* dentry;
} CORE;
struct file {
  struct path f_path;
  struct inode* f_inode;
} CORE;
struct fs_struct {
  struct path root;
  struct path pwd;
} CORE;
struct mm_struct {
  struct file* exe_file;
} CORE;
struct task_struct {
  int pid;
  int tgid;
  char comm[16];
  struct task_struct* group_leader;
  struct fs_struct* fs;
  struct mm_struct* mm;
} CORE;
struct vm_area_struct {
  unsigned long vm_start;
  unsigned long vm_end;
  unsigned long vm_flags;
  struct file* vm_file;
} CORE;
struct seq_file;
struct bpf_iter_meta {
  struct seq_file* seq;
} CORE;
struct bpf_iter__task {
  struct bpf_iter_meta* meta;
  struct task_struct* task;
} CORE;
struct bpf_iter__task_file {
  struct bpf_iter_meta* meta;
  struct task_struct* task;
  __u32 fd;
  struct file* file;
} CORE;
struct bpf_iter__task_vma {
  struct bpf_iter_meta* meta;
  struct task_struct* task;
  struct vm_area_struct* vma;
} CORE;

// Stable kernel constants (include/linux/fs.h, include/linux/mm.h, include/uapi/linux/stat.h).
#define S_DAX (1U << 13)
#define VM_SHARED 0x00000008UL
#define VM_SYNC 0x00800000UL
#define S_IFMT 00170000
#define S_IFBLK 0060000
#define S_IFCHR 0020000

char LICENSE[] SEC("license") = "GPL";  // bpf_d_path and the iterators are GPL-only

// The query, filled by user space before each scan (kernel dev_t: major << 20 | minor).
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, DAXD_SCAN_MAX_KEYS);
  __type(key, __u32);
  __type(value, __u8);
} filesystems SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, DAXD_SCAN_MAX_KEYS);
  __type(key, __u32);
  __type(value, __u8);
} devices SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, DAXD_SCAN_MAX_KEYS);
  __type(key, struct daxd_scan_file_key);
  __type(value, __u8);
} files SEC(".maps");

// One record with room for a whole path; too big for the 512-byte BPF stack. User space
// serialises scans, so one CPU's slot is never written by two programs at once.
struct scratch {
  struct daxd_scan_record record;
  char path[DAXD_SCAN_PATH_MAX];
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct scratch);
} scratch SEC(".maps");

static bool in_filesystem(struct inode* inode) {
  if (!inode) return false;
  __u32 dev = inode->i_sb->s_dev;
  if (bpf_map_lookup_elem(&filesystems, &dev)) return true;
  struct daxd_scan_file_key key = {.dev = dev, .pad = 0, .inode = inode->i_ino};
  return bpf_map_lookup_elem(&files, &key) != 0;
}

/// What stat(2) of the file would match: its filesystem, the file itself, or, for a device
/// node, the device it opens.
static bool matches(struct inode* inode) {
  if (in_filesystem(inode)) return true;
  if (!inode) return false;
  __u32 mode = inode->i_mode & S_IFMT;
  if (mode != S_IFBLK && mode != S_IFCHR) return false;
  __u32 rdev = inode->i_rdev;
  return bpf_map_lookup_elem(&devices, &rdev) != 0;
}

static struct scratch* begin(struct task_struct* task, __u32 kind, struct path* p) {
  __u32 zero = 0;
  struct scratch* s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return 0;
  s->record.tgid = task->tgid;
  s->record.kind = kind;
  s->record.flags = 0;
  s->record.fd = 0;
  s->record.path_len = 0;
  s->record.start = 0;
  s->record.end = 0;
  s->record.mnt = (__u64)p->mnt;
  s->record.dentry = (__u64)p->dentry;
  __builtin_memcpy(s->record.comm, task->group_leader->comm, sizeof s->record.comm);
  return s;
}

/// Writes the record, with the file's path when `f` is given and the kernel can name it. Only
/// an iterator's own file may be named here: bpf_d_path takes no pointer walked from it.
static void emit(struct seq_file* seq, struct scratch* s, struct file* f) {
  __u32 len = 0;
  if (f) {
    long n = bpf_d_path(&f->f_path, s->path, sizeof s->path);
    if (n > 1 && n <= DAXD_SCAN_PATH_MAX) len = n - 1;  // without the NUL
  }
  // The mask changes nothing (len < 4096 already) but gives the verifier its bound.
  len &= DAXD_SCAN_PATH_MAX - 1;
  s->record.path_len = len;
  bpf_seq_write(seq, &s->record, sizeof s->record);
  if (len > 0) bpf_seq_write(seq, s->path, len);
}

SEC("iter/task_file")
int scan_files(struct bpf_iter__task_file* ctx) {
  struct task_struct* task = ctx->task;
  struct file* f = ctx->file;
  if (!task || !f || !matches(f->f_inode)) return 0;
  struct scratch* s = begin(task, DAXD_SCAN_FD, &f->f_path);
  if (!s) return 0;
  s->record.fd = ctx->fd;
  if (f->f_inode->i_flags & S_DAX) s->record.flags |= DAXD_SCAN_DAX;
  emit(ctx->meta->seq, s, f);
  return 0;
}

SEC("iter/task_vma")
int scan_mappings(struct bpf_iter__task_vma* ctx) {
  struct task_struct* task = ctx->task;
  struct vm_area_struct* vma = ctx->vma;
  if (!task || !vma) return 0;
  struct file* f = vma->vm_file;
  if (!f || !matches(f->f_inode)) return 0;
  struct scratch* s = begin(task, DAXD_SCAN_MAPPING, &f->f_path);
  if (!s) return 0;
  s->record.start = vma->vm_start;
  s->record.end = vma->vm_end;
  if (vma->vm_flags & VM_SYNC) s->record.flags |= DAXD_SCAN_MAP_SYNC;
  if (vma->vm_flags & VM_SHARED) s->record.flags |= DAXD_SCAN_SHARED;
  if (f->f_inode->i_flags & S_DAX) s->record.flags |= DAXD_SCAN_DAX;
  emit(ctx->meta->seq, s, 0);  // vm_file is walked from the vma: named by user space
  return 0;
}

/// cwd, root and exe match on their filesystem or inode only, as /proc/PID/{cwd,root,exe}
/// would; user space names them.
static void check_path(struct seq_file* seq, struct task_struct* task, struct path* p,
                       __u32 kind) {
  if (!in_filesystem(p->dentry->d_inode)) return;
  struct scratch* s = begin(task, kind, p);
  if (s) emit(seq, s, 0);
}

SEC("iter/task")
int scan_tasks(struct bpf_iter__task* ctx) {
  struct task_struct* task = ctx->task;
  // /proc/PID shows the thread group leader's cwd, root and exe.
  if (!task || task->pid != task->tgid) return 0;
  struct seq_file* seq = ctx->meta->seq;
  struct fs_struct* fs = task->fs;
  if (fs) {
    check_path(seq, task, &fs->pwd, DAXD_SCAN_CWD);
    check_path(seq, task, &fs->root, DAXD_SCAN_ROOT);
  }
  struct mm_struct* mm = task->mm;
  if (mm && mm->exe_file && in_filesystem(mm->exe_file->f_inode)) {
    struct scratch* s = begin(task, DAXD_SCAN_EXE, &mm->exe_file->f_path);
    if (s) emit(seq, s, 0);
  }
  return 0;
}
