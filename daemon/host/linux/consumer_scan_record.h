/* SPDX-License-Identifier: Apache-2.0 */
/* What the BPF consumer scan writes for each match, read by bpf_consumer_scan.cpp. C, because
 * consumer_scan.bpf.c includes it too. */
#ifndef DAXD_CONSUMER_SCAN_RECORD_H
#define DAXD_CONSUMER_SCAN_RECORD_H

#define DAXD_SCAN_PATH_MAX 4096 /* PATH_MAX: bpf_d_path's output with its NUL */
#define DAXD_SCAN_MAX_KEYS 256  /* filesystems, devices and files per query, each */

enum daxd_scan_kind {
  DAXD_SCAN_FD = 1,
  DAXD_SCAN_MAPPING = 2,
  DAXD_SCAN_CWD = 3,
  DAXD_SCAN_ROOT = 4,
  DAXD_SCAN_EXE = 5,
};

enum daxd_scan_flags {
  DAXD_SCAN_DAX = 1,      /* the inode is served by DAX (S_DAX) */
  DAXD_SCAN_MAP_SYNC = 2, /* the mapping has VM_SYNC (MAP_SYNC; smaps "sf") */
  DAXD_SCAN_SHARED = 4,   /* the mapping is MAP_SHARED */
};

/* Kernel dev_t (major << 20 | minor) and inode number. */
struct daxd_scan_file_key {
  __u32 dev;
  __u32 pad;
  __u64 inode;
};

/* Followed by path_len bytes of path, no NUL. path_len 0: user space names it from /proc, once
 * per (mnt, dentry), which is what fixes the path: kernel addresses, used only as a cache key. */
struct daxd_scan_record {
  __u32 tgid;
  __u32 kind;
  __u32 flags;
  __u32 fd;
  __u64 start; /* a mapping's addresses: /proc/PID/map_files/START-END */
  __u64 end;
  __u64 mnt;
  __u64 dentry;
  __u32 path_len;
  __u32 pad;
  char comm[16];
};

#endif
