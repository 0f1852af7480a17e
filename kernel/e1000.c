// The Intel 82540EM gigabit Ethernet controller (QEMU's and Bochs's "e1000"),
// from the PCI/PCI-X Family of Gigabit Ethernet Controllers Software
// Developer's Manual (8254x SDM): register offsets and bits below cite it.
//
// The card moves frames by DMA through two rings of descriptors in memory.
// Transmit: the driver fills the descriptor at the tail (TDT) and advances
// TDT; the card sends it, and writes DD (descriptor done) into its status
// (we ask for that with RS on every descriptor). Receive: the driver hands
// the card empty buffers up to RDT; the card fills them from RDH on, sets
// DD and raises RXT0. Every descriptor owns one static 2 KiB buffer in the
// kernel's BSS, whose physical address is its virtual one minus KERNBASE.
//
// Locking: uniprocessor; the rings change with interrupts off (pushcli),
// and the receive side only in the interrupt handler.
#include "kernel.h"
#include "mmu.h"
#include "trap.h"
#include "x86.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100E // 82540EM desktop

// Registers (SDM 13.4), byte offsets into BAR0's memory.
#define REG_CTRL 0x0000   // device control
#define REG_STATUS 0x0008 // device status
#define REG_EERD 0x0014   // EEPROM read
#define REG_ICR 0x00C0    // interrupt cause read (reading clears it)
#define REG_IMS 0x00D0    // interrupt mask set
#define REG_IMC 0x00D8    // interrupt mask clear
#define REG_RCTL 0x0100   // receive control
#define REG_TCTL 0x0400   // transmit control
#define REG_TIPG 0x0410   // transmit inter-packet gap
#define REG_RDBAL 0x2800  // receive ring: base (low, high), length, head, tail
#define REG_RDBAH 0x2804
#define REG_RDLEN 0x2808
#define REG_RDH 0x2810
#define REG_RDT 0x2818
#define REG_RDTR 0x2820   // receive delay timer
#define REG_TDBAL 0x3800  // transmit ring: the same five
#define REG_TDBAH 0x3804
#define REG_TDLEN 0x3808
#define REG_TDH 0x3810
#define REG_TDT 0x3818
#define REG_MTA 0x5200    // multicast table array, 128 dwords
#define REG_RAL0 0x5400   // receive address 0: MAC bytes 0..3
#define REG_RAH0 0x5404   // ... bytes 4..5, and AV (address valid)

#define CTRL_ASDE (1u << 5)  // auto-speed detection
#define CTRL_SLU (1u << 6)   // set link up
#define CTRL_RST (1u << 26)  // device reset (self-clearing)
#define EERD_START (1u << 0)
#define EERD_DONE (1u << 4)  // 82540EM: done is bit 4, address bits 15:8
#define RAH_AV (1u << 31)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)  // accept broadcast
#define RCTL_SECRC (1u << 26) // strip the Ethernet CRC
                             // (BSIZE 00 with BSEX 0: 2048-byte buffers)
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)   // pad short packets to 64 bytes
#define TCTL_CT (0x10u << 4) // collision threshold (SDM's recommended value)
#define TCTL_COLD (0x40u << 12) // collision distance, full duplex
#define TIPG_COPPER (10u | 8u << 10 | 6u << 20) // IPGT, IPGR1, IPGR2 (82540EM copper)
#define ICR_TXDW (1u << 0)   // a transmit descriptor was written back
#define ICR_LSC (1u << 2)    // link status change
#define ICR_RXDMT0 (1u << 4) // receive ring below its minimum threshold
#define ICR_RXO (1u << 6)    // receiver overrun: a frame was lost
#define ICR_RXT0 (1u << 7)   // receive timer: frames are in the ring

// Descriptors (SDM 3.2.3 legacy receive, 3.3.3 legacy transmit): 16 bytes.
struct rx_desc {
    uint64_t addr;      // buffer's physical address
    uint16_t length;    // bytes the card wrote
    uint16_t checksum;
    uint8_t status;     // RXS_DD, RXS_EOP
    uint8_t errors;     // nonzero: a bad frame
    uint16_t special;
} __attribute__((packed));
struct tx_desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso;
    uint8_t cmd;        // TXC_*
    uint8_t status;     // TXS_DD once sent (with TXC_RS)
    uint8_t css;
    uint16_t special;
} __attribute__((packed));
#define RXS_DD 0x01
#define RXS_EOP 0x02    // last descriptor of a frame
#define TXC_EOP 0x01    // end of packet
#define TXC_IFCS 0x02   // insert the FCS (CRC)
#define TXC_RS 0x08     // report status (write DD back)
#define TXS_DD 0x01

#define NTX 32          // ring sizes: a multiple of 8 (the ring length, of 128 bytes)
#define NRX 64
#define BUFSIZE 2048
#define ETH_MIN 14      // a header alone
#define ETH_MAX 1514    // header + 1500 bytes, no CRC

static volatile struct tx_desc tx_ring[NTX] __attribute__((aligned(128)));
static volatile struct rx_desc rx_ring[NRX] __attribute__((aligned(128)));
static uint8_t tx_buf[NTX][BUFSIZE] __attribute__((aligned(16)));
static uint8_t rx_buf[NRX][BUFSIZE] __attribute__((aligned(16)));

static volatile uint32_t *regs; // BAR0, mapped by kvm_map_mmio; 0 with no card
static uint8_t mac_addr[6];
static int card_irq = -1;
static uint32_t rx_next; // the next receive descriptor the card will fill
static void (*receiver)(const void *frame, uint32_t len);
static struct e1000_stats stats;

static uint32_t
reg_read(uint32_t off)
{
    return regs[off / 4];
}

static void
reg_write(uint32_t off, uint32_t v)
{
    regs[off / 4] = v;
}

// Word addr of the EEPROM through EERD, or -1 if the read never finishes.
static int
eeprom_read(uint8_t addr)
{
    reg_write(REG_EERD, (uint32_t)addr << 8 | EERD_START);
    for (int i = 0; i < 100000; i++) {
        uint32_t v = reg_read(REG_EERD);
        if (v & EERD_DONE)
            return (int)(v >> 16);
    }
    return -1;
}

// The MAC address: EEPROM words 0..2 (SDM 5.6.1), or, if the EEPROM does not
// answer, what the card loaded into receive address 0 at reset. Either way
// it is written to RAL0/RAH0 with AV, so the card accepts frames to it.
static void
read_mac(void)
{
    int w[3] = {eeprom_read(0), eeprom_read(1), eeprom_read(2)};
    if (w[0] >= 0 && w[1] >= 0 && w[2] >= 0) {
        for (int i = 0; i < 3; i++) {
            mac_addr[2 * i] = w[i] & 0xFF;
            mac_addr[2 * i + 1] = (uint8_t)(w[i] >> 8);
        }
    } else {
        uint32_t lo = reg_read(REG_RAL0), hi = reg_read(REG_RAH0);
        for (int i = 0; i < 4; i++)
            mac_addr[i] = (uint8_t)(lo >> (8 * i));
        mac_addr[4] = hi & 0xFF;
        mac_addr[5] = (uint8_t)(hi >> 8);
    }
    reg_write(REG_RAL0, mac_addr[0] | mac_addr[1] << 8 | mac_addr[2] << 16 |
                            (uint32_t)mac_addr[3] << 24);
    reg_write(REG_RAH0, mac_addr[4] | mac_addr[5] << 8 | RAH_AV);
}

// Reset the card with interrupts masked, then bring the link up (SDM 14.3,
// 14.5: with auto-speed detection the MAC follows the PHY).
static void
reset_card(void)
{
    reg_write(REG_IMC, 0xFFFFFFFF);
    reg_write(REG_CTRL, reg_read(REG_CTRL) | CTRL_RST);
    for (int i = 0; i < 1000000 && (reg_read(REG_CTRL) & CTRL_RST); i++)
        ;
    reg_write(REG_IMC, 0xFFFFFFFF);
    reg_read(REG_ICR); // drop what is pending
    reg_write(REG_CTRL, (reg_read(REG_CTRL) | CTRL_SLU | CTRL_ASDE));
}

// The transmit ring (SDM 14.5): every descriptor free (DD set) with its own
// buffer; head = tail = 0; then the transmitter on.
static void
init_tx(void)
{
    for (int i = 0; i < NTX; i++) {
        tx_ring[i].addr = V2P(tx_buf[i]);
        tx_ring[i].status = TXS_DD;
    }
    reg_write(REG_TDBAL, V2P(tx_ring));
    reg_write(REG_TDBAH, 0);
    reg_write(REG_TDLEN, sizeof(tx_ring));
    reg_write(REG_TDH, 0);
    reg_write(REG_TDT, 0);
    reg_write(REG_TIPG, TIPG_COPPER);
    reg_write(REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
}

// The receive ring (SDM 14.4): every buffer given to the card (the tail is
// the last descriptor: the card owns head..tail-1, one stays empty), no
// multicast, broadcast accepted, CRC stripped, 2 KiB buffers; receiver on.
static void
init_rx(void)
{
    for (int i = 0; i < 128; i++)
        reg_write(REG_MTA + 4 * i, 0);
    for (int i = 0; i < NRX; i++) {
        rx_ring[i].addr = V2P(rx_buf[i]);
        rx_ring[i].status = 0;
    }
    reg_write(REG_RDBAL, V2P(rx_ring));
    reg_write(REG_RDBAH, 0);
    reg_write(REG_RDLEN, sizeof(rx_ring));
    reg_write(REG_RDH, 0);
    reg_write(REG_RDT, NRX - 1);
    reg_write(REG_RDTR, 0); // interrupt at once, no delay
    rx_next = 0;
    reg_write(REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
}

// Find the card on the PCI bus, map its registers, reset it, read its MAC,
// set up both rings and unmask its interrupt at the PIC. Prints one line.
// Called once at boot from kmain, after pci_init, interrupts off. With no
// card: prints "net: no e1000 card" and the driver stays absent.
void
e1000_init(void)
{
    struct pci_func f;
    if (!pci_find(E1000_VENDOR, E1000_DEVICE, &f)) {
        printk("net: no e1000 card\n");
        return;
    }
    if ((f.bar[0] & 1) || f.irq >= 16) { // an I/O BAR, or no usable IRQ
        printk("net: e1000 at %02x:%02x.%u unusable (bar0 0x%08x irq %u)\n", f.bus, f.dev,
               f.fn, f.bar[0], f.irq);
        return;
    }
    pci_enable(&f);
    regs = kvm_map_mmio(f.bar[0] & ~0xFu, 128 * 1024);
    reset_card();
    read_mac();
    init_tx();
    init_rx();
    card_irq = f.irq;
    reg_write(REG_IMS, ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC);
    pic_unmask(card_irq);
    printk("net: e1000 at %02x:%02x.%u irq %d mac %02x:%02x:%02x:%02x:%02x:%02x\n", f.bus,
           f.dev, f.fn, card_irq, mac_addr[0], mac_addr[1], mac_addr[2], mac_addr[3],
           mac_addr[4], mac_addr[5]);
}

// Is there a card (did e1000_init set one up)?
int
e1000_present(void)
{
    return regs != 0;
}

// The card's IRQ line at the 8259, or -1 without a card (for irq_serve).
int
e1000_irq(void)
{
    return card_irq;
}

// Copy the card's MAC address to mac (zeros without a card).
void
e1000_mac(uint8_t mac[6])
{
    memcpy(mac, mac_addr, 6);
}

// The driver's counters, for a later netstat: read them, do not write.
const struct e1000_stats *
e1000_stats(void)
{
    return &stats;
}

// The rings' sizes and the card's four ring registers, for tests and a
// netstat: what the card owns is TDH..TDT-1 and RDH..RDT-1.
void
e1000_rings(struct e1000_rings *r)
{
    *r = (struct e1000_rings){.ntx = NTX, .nrx = NRX};
    if (!regs)
        return;
    r->tdh = reg_read(REG_TDH);
    r->tdt = reg_read(REG_TDT);
    r->rdh = reg_read(REG_RDH);
    r->rdt = reg_read(REG_RDT);
}

// Tests only (test=e1000ring): turn the transmitter off (0) or on again
// (1). While it is off the card sends nothing, as on a slow link, so a test
// can fill the transmit ring. Turning it on writes TDT again with its own
// value: emulators look at the ring when TDT is written.
void
e1000_test_transmitter(int on)
{
    if (!regs)
        return;
    pushcli();
    uint32_t tctl = reg_read(REG_TCTL);
    reg_write(REG_TCTL, on ? tctl | TCTL_EN : tctl & ~TCTL_EN);
    if (on)
        reg_write(REG_TDT, reg_read(REG_TDT));
    popcli();
}

// Send one Ethernet frame: frame is the whole frame from the destination
// MAC on, without the CRC (the card appends it, and pads short frames);
// len 14..1514. The frame is copied into the next transmit descriptor's
// buffer before this returns, so the caller may reuse it at once. Returns
// 0, -EINVAL for a bad length, -ENOSPC when NTX-1 descriptors are still
// waiting to be sent (the caller may drop the frame or retry later), -EIO
// without a card. Any context, interrupts on or off; never sleeps.
int
e1000_transmit(const void *frame, uint32_t len)
{
    if (len < ETH_MIN || len > ETH_MAX)
        return -EINVAL;
    if (!regs)
        return -EIO;
    pushcli();
    // BEGIN LAB 8: the transmit ring
    // STUB: popcli();
    // STUB: panic("lab 8: e1000_transmit is not written yet (a frame of %u bytes at %p)", len, frame);
    uint32_t tail = reg_read(REG_TDT), next = (tail + 1) % NTX;
    volatile struct tx_desc *d = &tx_ring[tail];
    // The card owns TDH..TDT-1, and TDT == TDH means an empty ring: so at
    // most NTX-1 descriptors may wait, and the ring is full when the one
    // after the tail is still the card's (no DD), not when the tail is.
    if (!(tx_ring[next].status & TXS_DD)) {
        stats.tx_full++;
        popcli();
        return -ENOSPC;
    }
    memcpy(tx_buf[tail], frame, len);
    d->length = (uint16_t)len;
    d->cmd = TXC_EOP | TXC_IFCS | TXC_RS;
    d->status = 0;
    __sync_synchronize(); // the descriptor is in memory before the card reads it
    reg_write(REG_TDT, next);
    stats.tx_frames++;
    stats.tx_bytes += len;
    popcli();
    return 0;
    // END LAB 8
}

// Have rx called for every frame received from now on (0: drop them). rx
// runs in the interrupt handler, interrupts off; it must not sleep, and the
// frame (without its CRC) is valid only during the call: the driver gives
// the buffer back to the card afterwards.
void
e1000_set_receiver(void (*rx)(const void *frame, uint32_t len))
{
    pushcli();
    receiver = rx;
    popcli();
}

// Hand each filled receive descriptor's frame to the receiver, then give
// the descriptor back to the card (it becomes the new tail).
static void
receive_frames(void)
{
    // BEGIN LAB 8: the receive ring
    // STUB: panic("lab 8: receive_frames is not written yet (a frame waits in descriptor %u)", rx_next);
    for (;;) {
        volatile struct rx_desc *d = &rx_ring[rx_next];
        if (!(d->status & RXS_DD))
            break;
        __sync_synchronize(); // read the frame only after seeing DD
        if (d->errors || !(d->status & RXS_EOP)) {
            stats.rx_errors++; // a bad frame, or one larger than a buffer
        } else if (!receiver) {
            stats.rx_dropped++;
        } else {
            stats.rx_frames++;
            stats.rx_bytes += d->length;
            receiver(rx_buf[rx_next], d->length);
        }
        d->status = 0;
        reg_write(REG_RDT, rx_next);
        rx_next = (rx_next + 1) % NRX;
    }
    // END LAB 8
}

// The card's interrupt (from irq_serve, interrupts off): read ICR, which
// acknowledges every cause it returns, and serve them until none is left
// (the line stays asserted while a cause is pending).
void
e1000_intr(void)
{
    if (!regs)
        return;
    stats.interrupts++;
    for (uint32_t icr; (icr = reg_read(REG_ICR)) != 0;) {
        if (icr & ICR_RXO)
            stats.rx_overruns++;
        if (icr & ICR_LSC)
            stats.link_changes++;
        if (icr & (ICR_RXT0 | ICR_RXO | ICR_RXDMT0))
            receive_frames();
    }
}
