// libsys: the time-stamp counter, the cycle clock the benchmarks read
// (user/bench.c, user/loadgen.c, user/tracedemo.c). Under QEMU's TCG it
// counts at a host-dependent rate, under -icount it counts instructions:
// compare readings of one boot, never across boots.
#ifndef _TSC_H
#define _TSC_H

// The counter now (RDTSC: allowed in ring 3, since the kernel leaves CR4.TSD clear).
static inline unsigned long long
rdtsc(void)
{
    unsigned int lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long long)hi << 32) | lo;
}

// qsort's comparison for counter readings (unsigned long long), smallest first.
static inline int
cmp_u64(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return x < y ? -1 : x > y;
}

#endif
