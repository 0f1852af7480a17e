// t_nopromote: nopromote() called in Smode demotes the caller at its tail
// (docs/dmsm.md section 10): a program in ring 0 has every power whatever
// its flag says, so giving up the right means leaving ring 0. Afterwards it
// and every child it forks run in ring 3 and can never promote again.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEST_NAME "t_nopromote"
#include "testlib.h"

// Check that the caller is a Umode process without the right to promote.
static int
sandboxed(void)
{
    struct procinfo pi;
    return read_cs() == 0x1b && current_mode() == MODE_UMODE && modeinfo(0, &pi) == 0 &&
           pi.mode == MODE_UMODE && pi.pending == MODE_NONE && !pi.may_promote &&
           switch_supervisor(0) == -EPERM && read_cs() == 0x1b;
}

int
main(void)
{
    CHECK(switch_supervisor(0) == 0 && read_cs() == 0x08, "promote self");
    int r = nopromote();
    unsigned int cs = read_cs(); // right after the call: its tail demoted us
    CHECK(r == 0, "nopromote in Smode = %d", r);
    CHECK(cs == 0x1b && current_mode() == MODE_UMODE,
          "still in ring 0 after nopromote (cs %x): it keeps every power", cs);
    CHECK(sandboxed(), "not sandboxed after nopromote");
    int pid = fork();
    if (pid == 0)
        _exit(sandboxed() ? 0 : 1);
    CHECK(pid > 0, "fork");
    CHECK(wait_child(pid) == 0, "a child forked after nopromote is not sandboxed");
    CHECK(nopromote() == 0 && read_cs() == 0x1b, "nopromote again in Umode");
    printf("t_nopromote: nopromote in Smode demoted the caller and its children\n");
    pass();
}
