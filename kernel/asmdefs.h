// The C constants that assembly files need; the build turns them into
// build/asmdefs.inc with tools/h2inc.py. Add a header here, not a number there.
#include "mmu.h"
#include "trap.h"
#include "proc.h"
#include "syscall.h"
#include "uapi/sysnum.h"
#include "uapi/abi.h"
#include "uapi/errno.h"
#include "uapi/trace.h"
