// Linux calls and flags that Glibc's Swift module does not expose without _GNU_SOURCE.
#ifndef C_CUSTODY_SYSTEM_H
#define C_CUSTODY_SYSTEM_H

/// O_DIRECT: bypass the page cache (writes of the copy, read-back of the verification hash).
int custody_o_direct(void);

/// renameat2(..., RENAME_NOREPLACE): an atomic rename that fails with EEXIST instead of replacing.
int custody_rename_noreplace(const char *from, const char *to);

#endif
