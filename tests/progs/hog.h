// hog.h: run_hog, shared by the swap tests (t_smode_slots, t_swap_eio):
// a Umode hog that makes the clock push other processes' pages out.
// Include after testlib.h.
#ifndef HOG_H
#define HOG_H

// A Umode child that touches n pages twice over, then exits: its pages are
// used again, the others' are not, so the clock pushes the others out.
static void
run_hog(unsigned int n)
{
    int hog = fork();
    CHECK(hog >= 0, "fork: %d", hog);
    if (hog == 0) {
        if (switch_user(0) != 0) // forked from an Smode parent
            exit(4);
        char *m = sbrk(n * 4096);
        if (sbrk_failed(m))
            exit(2);
        for (int pass = 0; pass < 2; pass++)
            for (unsigned int i = 0; i < n; i++)
                m[i * 4096] = 1;
        exit(0);
    }
    int status = wait_child(hog);
    CHECK(status == 0, "hog status 0x%x", status);
}

#endif
