// The swap disk: an ATA (IDE) drive on the primary channel's slave position
// (QEMU: -drive ...,if=ide,index=1; Bochs: ata0-slave), driven by PIO with
// polling. One page is 8 sectors. Polling keeps the driver short and the
// paging code free of sleeping; a page-in costs the emulator a few
// microseconds of busy waiting.
#include "kernel.h"
#include "x86.h"

#define ATA_DATA 0x1F0
#define ATA_COUNT 0x1F2
#define ATA_LBA0 0x1F3
#define ATA_LBA1 0x1F4
#define ATA_LBA2 0x1F5
#define ATA_DRIVE 0x1F6
#define ATA_STATUS 0x1F7 // read
#define ATA_CMD 0x1F7    // write
#define ATA_CTRL 0x3F6
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_BSY 0x80
#define CMD_READ_MULTIPLE 0xC4  // a whole page per data block (one DRQ),
#define CMD_WRITE_MULTIPLE 0xC5 // which emulators serve in one request
#define CMD_SET_MULTIPLE 0xC6
#define CMD_IDENTIFY 0xEC
#define DRIVE_SLAVE_LBA 0xF0 // LBA mode, drive 1
#define SECTOR 512
#define SECTORS_PER_PAGE 8

static uint32_t disk_sectors; // 0: no swap disk

// A bad sector a test places (swapfail=MARK on the command line, before
// init=): a page read back whose data begins with MARK fails with -EIO, as
// a read of a bad sector would, so that the tests can reach the kernel's
// error paths (a page fault, a switch to Smode) with a real disk under them.
// Empty (never fails) unless the option is given.
static char bad_mark[64];
static size_t bad_len;
#define BAD_POISON 0xEE // what a failed read leaves in the buffer

// Read swapfail= from the command line into bad_mark. Boot only.
static void
bad_sector_init(void)
{
    const char *mark = cmdline_get("swapfail");
    if (!mark || !*mark)
        return;
    bad_len = strlcpy(bad_mark, mark, sizeof(bad_mark));
    if (bad_len >= sizeof(bad_mark))
        bad_len = sizeof(bad_mark) - 1;
    printk("ide: swapfail=%s: a page read back that begins with it fails with %d\n", bad_mark,
           -EIO);
}

// Is the page just read into buf one that swapfail= marks as on a bad
// sector? If so its data did not arrive: the buffer is left poisoned.
static int
bad_sector(void *buf)
{
    if (!bad_len || memcmp(buf, bad_mark, bad_len) != 0)
        return 0;
    memset(buf, BAD_POISON, SECTORS_PER_PAGE * SECTOR);
    return 1;
}

// How many status reads ide_wait makes before it gives up on a drive. An
// emulated disk stays busy while the host writes the data to its image file,
// which takes as long as the host's disk takes: on a loaded host a million
// reads (well under a second under TCG) proved too few, and the page-out
// that saw -EIO panicked. Only a missing or dead drive needs the bound.
#define IDE_WAIT_READS 200000000

// Wait until the drive is not busy; returns its status, or -1 on error or
// when it never gets ready (no drive).
static int
ide_wait(int need_drq)
{
    for (int i = 0; i < IDE_WAIT_READS; i++) {
        uint8_t st = inb(ATA_STATUS);
        if (st == 0xFF || st == 0)
            return -1; // floating bus: nothing there
        if (st & ST_BSY)
            continue;
        if (st & (ST_ERR | ST_DF))
            return -1;
        if (!need_drq || (st & ST_DRQ))
            return st;
    }
    return -1;
}

// Look for the swap disk. Returns its size in sectors (0: none).
uint32_t
ide_init(void)
{
    outb(ATA_CTRL, 0x02); // no interrupts: we poll
    outb(ATA_DRIVE, DRIVE_SLAVE_LBA);
    for (int i = 0; i < 4; i++)
        inb(ATA_STATUS); // 400 ns for the drive select to settle
    if (inb(ATA_STATUS) == 0xFF)
        return 0;
    outb(ATA_COUNT, 0);
    outb(ATA_LBA0, 0);
    outb(ATA_LBA1, 0);
    outb(ATA_LBA2, 0);
    outb(ATA_CMD, CMD_IDENTIFY);
    if (inb(ATA_STATUS) == 0 || inb(ATA_LBA1) != 0 || inb(ATA_LBA2) != 0)
        return 0; // no drive, or an ATAPI device (a CD-ROM)
    if (ide_wait(1) < 0)
        return 0;
    uint16_t id[256];
    insw(ATA_DATA, id, 256);
    uint32_t sectors = id[60] | ((uint32_t)id[61] << 16); // LBA28 capacity
    // transfer a page (8 sectors) per data block
    outb(ATA_DRIVE, DRIVE_SLAVE_LBA);
    outb(ATA_COUNT, SECTORS_PER_PAGE);
    outb(ATA_CMD, CMD_SET_MULTIPLE);
    if (ide_wait(0) < 0) {
        printk("ide: the swap disk does not take %d sectors per block\n", SECTORS_PER_PAGE);
        return 0;
    }
    disk_sectors = sectors;
    bad_sector_init();
    return disk_sectors;
}

// Transfer one page (8 sectors) at sector lba to or from kernel buffer buf.
// Returns 0 or -EIO (a read of a page swapfail= marks too: bad_sector).
int
ide_rw_page(uint32_t lba, void *buf, int write)
{
    if (lba + SECTORS_PER_PAGE > disk_sectors || lba >= (1u << 28))
        return -EIO;
    if (ide_wait(0) < 0)
        return -EIO;
    outb(ATA_COUNT, SECTORS_PER_PAGE);
    outb(ATA_LBA0, lba & 0xFF);
    outb(ATA_LBA1, (lba >> 8) & 0xFF);
    outb(ATA_LBA2, (lba >> 16) & 0xFF);
    outb(ATA_DRIVE, DRIVE_SLAVE_LBA | ((lba >> 24) & 0x0F));
    outb(ATA_CMD, write ? CMD_WRITE_MULTIPLE : CMD_READ_MULTIPLE);
    if (ide_wait(1) < 0) // one data block: the whole page
        return -EIO;
    if (write)
        outsw(ATA_DATA, buf, SECTORS_PER_PAGE * SECTOR / 2);
    else
        insw(ATA_DATA, buf, SECTORS_PER_PAGE * SECTOR / 2);
    // No cache flush after a write: swap need not survive a power cut, and
    // a flush costs the host an fsync per page.
    if (ide_wait(0) < 0)
        return -EIO;
    return !write && bad_sector(buf) ? -EIO : 0;
}
