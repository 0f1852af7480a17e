// vmstat: prints the kernel's system-wide memory figures, and the network
// stack's fixed memory (its packet pool and connection table: docs/net.md).
#include <unistd.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
    struct vmstat vm;
    int r = vmstat(&vm);

    if (r < 0) {
        eprintf("vmstat: %s\n", strerror(-r));
        return 1;
    }
    printf("total frames: %u\n", vm.total_frames);
    printf("free frames: %u\n", vm.free_frames);
    printf("pinned frames: %u\n", vm.pinned_frames);
    printf("swap slots: %u\n", vm.swap_slots);
    printf("swap used: %u\n", vm.swap_used);
    printf("page-ins: %u\n", vm.pageins);
    printf("page-outs: %u\n", vm.pageouts);
    printf("kernel heap used: %u bytes\n", vm.heap_used);
    printf("committed: %u of %u pages\n", vm.committed, vm.commit_limit);
    printf("committed resident: %u of %u pages\n", vm.committed_resident, vm.resident_limit);
    struct netstat ns;
    if (netstat(&ns) == 0) {
        printf("network pool: %u bytes, %u buffers, %u free\n", ns.pool_bytes, ns.pool_bufs,
               ns.pool_free);
        printf("network connections: %u bytes, %u slots, %u in use\n", ns.tcb_bytes, ns.tcb_max,
               ns.tcb_used);
        printf("network memory: %u bytes in all\n", ns.pool_bytes + ns.tcb_bytes);
    }
    return 0;
}
