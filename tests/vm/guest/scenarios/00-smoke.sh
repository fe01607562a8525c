#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Smoke + reference numbers: two labelled 1 GiB regions; the kernel's sizes for the namespaces the
# conformance scenarios create (printed in bytes, for comparison with the sim).
set -e
ndctl list -R
[ "$(ndctl list -R | grep -c '"size":1073741824')" = 2 ]
ndctl create-namespace -m fsdax -r region0 -s 512M -n ref-fsdax
ndctl create-namespace -m devdax -r region0 -s 256M -n ref-devdax
ndctl create-namespace -m sector -r region0 -s 256M -n ref-sector
ndctl list -RN -r region0
