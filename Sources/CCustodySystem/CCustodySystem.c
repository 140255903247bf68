#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include "CCustodySystem.h"

int custody_o_direct(void) { return O_DIRECT; }

int custody_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}
