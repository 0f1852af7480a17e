// t_pressure: memory pressure (run with MEM=16). Two Umode workers each
// write and re-read a working set of the whole RAM size (twice the RAM in
// all) with checksums, so their pages go to swap and come back; an Smode
// process runs alongside and must take zero page faults, page-ins and
// page-outs after its switch. Prints the figures for the note.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_NAME "t_pressure"
#include "testlib.h"

#define PAGE 4096

static unsigned int
pattern(unsigned int seed, unsigned int page, unsigned int word)
{
    return (seed * 2654435761u) ^ (page * 40503u) ^ (word * 2246822519u);
}

// Write npages pages, then read them back twice, checking every word.
static int
worker(unsigned int seed, unsigned int npages, int report_fd)
{
    if (switch_user(0) != 0 || current_mode() != MODE_UMODE) // forked from Smode
        return 5;
    unsigned int *mem = sbrk(npages * PAGE);
    if (sbrk_failed(mem))
        return 2;
    for (unsigned int p = 0; p < npages; p++)
        for (unsigned int w = 0; w < PAGE / 4; w += 64)
            mem[p * (PAGE / 4) + w] = pattern(seed, p, w);
    for (int pass = 0; pass < 2; pass++)
        for (unsigned int p = 0; p < npages; p++)
            for (unsigned int w = 0; w < PAGE / 4; w += 64)
                if (mem[p * (PAGE / 4) + w] != pattern(seed, p, w)) {
                    printf("worker %u: page %u word %u corrupted\n", seed, p, w);
                    return 3;
                }
    struct procinfo pi;
    modeinfo(0, &pi);
    dprintf(report_fd, "%u %u %u\n", pi.pageins, pi.pageouts, pi.faults);
    return 0;
}

int
main(void)
{
    // This process itself is Smode (so never paged): after the workers are
    // gone, swap use and free frames must be back where they started.
    CHECK(switch_supervisor(0) == 0, "switch_supervisor(0)");
    struct vmstat vs = vm();
    CHECK(vs.swap_slots > 0, "no swap disk attached");
    unsigned int ram_pages = vs.total_frames;
    unsigned int t0 = uptime();
    printf("RAM %u frames, swap %u slots\n", vs.total_frames, vs.swap_slots);

    // The Smode process: switches, then works on its own memory and makes
    // system calls until told to stop; reports its counters since the switch.
    int go[2], res[2];
    CHECK(pipe(go) == 0 && pipe(res) == 0, "pipe");
    int smode = fork();
    if (smode == 0) {
        close(go[1]);
        // Smode from its first instruction: fork keeps the parent's mode
        char *buf = malloc(256 * 1024);
        memset(buf, 1, 256 * 1024);
        if (current_mode() != MODE_SMODE)
            exit(4);
        struct procinfo before, after;
        modeinfo(0, &before);
        unsigned int sum = 0, rounds = 0;
        char c;
        for (;;) {
            for (int i = 0; i < 256 * 1024; i += 512)
                sum += buf[i]++;
            rounds++;
            int n = read(go[0], &c, 1); // blocks until the parent is done
            if (n == 1)
                break;
        }
        modeinfo(0, &after);
        dprintf(res[1], "%u %u %u %u\n", after.faults - before.faults,
                after.pageins - before.pageins, after.pageouts - before.pageouts,
                after.swapped);
        exit(0);
    }

    int w[2];
    for (int i = 0; i < 2; i++) {
        w[i] = fork();
        if (w[i] == 0)
            exit(worker(i + 1, ram_pages, res[1]));
    }
    for (int i = 0; i < 2; i++) {
        int status;
        CHECK(wait(&status) > 0 && status == 0, "worker ended with status %d", status);
    }
    CHECK(write(go[1], "x", 1) == 1, "release the Smode process");
    int status;
    CHECK(wait(&status) == smode && status == 0, "Smode process status %d", status);

    char line[64];
    unsigned int in[2], out[2], flt[2];
    for (int i = 0; i < 2; i++) {
        CHECK(fgets_fd(line, sizeof line, res[0]) > 0, "worker report");
        char *p = line;
        in[i] = strtoul(p, &p, 10);
        out[i] = strtoul(p, &p, 10);
        flt[i] = strtoul(p, &p, 10);
    }
    CHECK(fgets_fd(line, sizeof line, res[0]) > 0, "Smode report");
    char *p = line;
    unsigned int s_flt = strtoul(p, &p, 10), s_in = strtoul(p, &p, 10);
    unsigned int s_out = strtoul(p, &p, 10), s_swapped = strtoul(p, &p, 10);

    printf("Umode workers: page-ins %u + %u, page-outs %u + %u, faults %u + %u\n", in[0], in[1],
           out[0], out[1], flt[0], flt[1]);
    printf("Smode process: faults %u, page-ins %u, page-outs %u, swapped %u\n",
           s_flt, s_in, s_out, s_swapped);
    printf("elapsed %u ms (emulated)\n", uptime() - t0);
    CHECK(in[0] + in[1] > 0 && out[0] + out[1] > 0, "no paging happened");
    CHECK(s_flt == 0 && s_in == 0 && s_out == 0 && s_swapped == 0, "the Smode process was paged");
    struct vmstat end;
    vmstat(&end);
    CHECK(end.swap_used == vs.swap_used, "swap slots leaked: %u -> %u", vs.swap_used, end.swap_used);
    CHECK(end.free_frames == vs.free_frames, "frames leaked: %u -> %u", vs.free_frames,
          end.free_frames);
    pass();
}
