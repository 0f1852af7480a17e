// Open files: what a file descriptor points to.
#ifndef FILE_H
#define FILE_H

#include <stdint.h>

enum file_type { FD_NONE, FD_INODE, FD_PIPE, FD_CONSOLE, FD_SOCKET };

struct pipe;
struct sock;

struct file {
    enum file_type type;
    int ref;             // descriptors (in all processes) that share it
    int readable, writable, append;
    struct inode *ip;    // FD_INODE
    uint32_t off;        // FD_INODE: the file offset; a directory: slot index
    struct pipe *pipe;   // FD_PIPE
    struct sock *sock;   // FD_SOCKET (socket.c)
};

#endif
