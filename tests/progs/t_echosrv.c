// A TCP echo server on port 80 for host-side tests through the card: it
// prints its ready line, then echoes each connection (one at a time) until
// the client closes, for as many connections as argv[1] says (default 1).
#define TEST_NAME "t_echosrv"
#include "testlib.h"

int
main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(80)};
    CHECK(l >= 0 && bind(l, &sa, sizeof(sa)) == 0 && listen(l, 4) == 0, "listen on port 80");
    printf("t_echosrv: ready on port 80\n");
    static char buf[8192];
    unsigned long total = 0;
    for (int i = 0; i < count; i++) {
        int c = accept(l, 0, 0);
        CHECK(c >= 0, "accept: %d", c);
        int n;
        while ((n = read(c, buf, sizeof(buf))) > 0) {
            CHECK(write(c, buf, n) == n, "write");
            total += n;
        }
        CHECK(n == 0, "read: %d", n);
        close(c);
    }
    printf("t_echosrv: echoed %lu bytes\n", total);
    pass();
}
