// BSD sockets as file descriptors (docs/net.md). Under construction.
#include "kernel.h"
#include "syscall.h"

int sys_socket(int domain, int type, int protocol) { (void)domain; (void)type; (void)protocol; return -ENOSYS; }
int sys_bind(int fd, uint32_t a, int l) { (void)fd; (void)a; (void)l; return -ENOSYS; }
int sys_listen(int fd, int b) { (void)fd; (void)b; return -ENOSYS; }
int sys_accept(int fd, uint32_t a, uint32_t l) { (void)fd; (void)a; (void)l; return -ENOSYS; }
int sys_connect(int fd, uint32_t a, int l) { (void)fd; (void)a; (void)l; return -ENOSYS; }
int sys_shutdown(int fd, int h) { (void)fd; (void)h; return -ENOSYS; }
int sys_setsockopt(int fd, int lv, int n, uint32_t v, int l) { (void)fd; (void)lv; (void)n; (void)v; (void)l; return -ENOSYS; }
int sys_sendto(int fd, uint32_t b, uint32_t n, uint32_t a, int l) { (void)fd; (void)b; (void)n; (void)a; (void)l; return -ENOSYS; }
int sys_recvfrom(int fd, uint32_t b, uint32_t n, uint32_t a, uint32_t l) { (void)fd; (void)b; (void)n; (void)a; (void)l; return -ENOSYS; }
int sys_getsockname(int fd, uint32_t a, uint32_t l) { (void)fd; (void)a; (void)l; return -ENOSYS; }
int sys_netstat(uint32_t u) { (void)u; return -ENOSYS; }
