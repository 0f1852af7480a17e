// httpd: a small web server for files, HTTP/1.0 and HTTP/1.1 (docs/net.md).
//
// usage: httpd [PORT [ROOT]]      (defaults: port 80, root /)
//
// One process with one poll loop, never a process per connection. The
// reason is the mode switch: switch_supervisor, switch_user and modemgr act
// on one pid, so with one process the whole server is Umode or Smode and
// changes mode at once (a server forked per connection would be part in
// one mode, part in the other). When a switch is requested while nothing
// is ready, poll returns -EINTR and the switch has been applied at that
// call's tail: the loop just polls again.
//
// What it serves: GET and HEAD of regular files under ROOT, every response
// with a Content-Length. 400 for a malformed request (and for a path with a
// ".." component: the target is percent-decoded first, then checked, so no
// path escapes ROOT; a query, "?...", is ignored), 404 for a missing file
// and for a directory (no listings: a body is always one file, whose size
// is known before the headers go out), 405 for other methods (with
// "Allow: GET, HEAD"), 414 for a request line that does not fit the
// request buffer (REQ_MAX), 431 for headers that do not, 505 for an HTTP
// version other than 1.x, 503 when no descriptor is left to open the file.
// After 400, 414, 431 and 505 the connection is closed.
// Keep-alive: the default for HTTP/1.1, for HTTP/1.0 only with
// "Connection: keep-alive"; "Connection: close" is honoured in both.
// Pipelined requests are answered in order. No Date header: the machine
// has no clock of the day (an origin server without one omits it).
//
// Each connection has a request buffer and a send buffer. A file is sent a
// buffer at a time as the socket takes it (a write to a TCP socket may be
// short), so no file is ever held whole. Every poll round gives a ready
// connection at most one read or one write (and one refill of its send
// buffer), so neither a busy nor an idle connection starves the others.
// A connection holds its file open only while it sends it, so MAXCONN
// connections fit in NOFILE descriptors (with files for some of them).
// The kernel's poll has no timeout, so idle keep-alive connections are
// reclaimed by need: when every slot is taken, a new connection replaces
// the one that has been quiet longest. A response that ends the connection
// is followed by shutdown(SHUT_WR) and reading until the client closes (a
// "lingering close"), so that unread request bytes do not make the close a
// reset that destroys the response before the client has read it.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXCONN (POLL_MAX - 1) // poll entry 0 is the listener
#define REQ_MAX 4096           // request line and headers of one request
#define OUT_MAX 4096           // send buffer: the headers, then file data
#define LISTEN_BACKLOG 32

enum conn_state {
    C_FREE,  // slot unused
    C_READ,  // reading a request (or idle between two)
    C_SEND,  // sending a response: out[], then the rest of the file
    C_DRAIN, // response sent and our side shut: read and drop until the client closes
};

struct conn {
    enum conn_state state;
    int fd;                 // the socket
    int file;               // the file being sent, or -1
    unsigned int file_left; // bytes of it not yet read into out[]
    unsigned int quiet;     // the poll round of its last progress (eviction order)
    int keep;               // after this response: 1 read the next request, 0 close
    int req_len;            // bytes in req[]
    int req_used;           // bytes of req[] the current request took
    int out_off, out_len;   // out[out_off..out_len) still to send
    char req[REQ_MAX];
    char out[OUT_MAX];
};

// What handle_request learned from a request's head.
struct request {
    int head;         // 1 for HEAD, 0 for GET
    int minor;        // HTTP/1.minor
    int conn_close;   // "Connection: close"
    int conn_keep;    // "Connection: keep-alive"
    int has_body;     // a Content-Length above 0 or a Transfer-Encoding: body not read
    char path[PATH_MAX];
};

static struct conn conns[MAXCONN];
static struct pollfd pfd[1 + MAXCONN];
static int listener;
static int listen_paused; // accept failed (no descriptor left): wait until a connection closes
static char root[PATH_MAX]; // ROOT without its trailing '/' ("" for /)
static unsigned int rounds; // poll rounds so far: the clock of conn.quiet

static void conn_parse(struct conn *c);

// ---- connections ----

// Give the slot back: the socket and any file closed.
static void
conn_close(struct conn *c)
{
    if (c->file >= 0)
        close(c->file);
    close(c->fd);
    c->state = C_FREE;
    c->fd = c->file = -1;
    listen_paused = 0; // a descriptor is free again
}

// A slot for a new connection: a free one, or else the one quiet longest,
// closed first (idle keep-alive connections have no timeout otherwise).
static struct conn *
conn_slot(void)
{
    struct conn *quietest = 0;
    for (int i = 0; i < MAXCONN; i++) {
        struct conn *c = &conns[i];
        if (c->state == C_FREE)
            return c;
        if (!quietest || c->quiet < quietest->quiet)
            quietest = c;
    }
    conn_close(quietest);
    return quietest;
}

// Take every connection the listener has ready (until -EAGAIN).
static void
accept_all(void)
{
    for (;;) {
        int fd = accept(listener, 0, 0);
        if (fd == -ECONNABORTED || fd == -ECONNRESET)
            continue; // that one died before we took it
        if (fd == -EAGAIN || fd == -EINTR)
            return;
        if (fd < 0) { // poll would report the listener ready forever: rest it
            if (fd != -EMFILE && fd != -ENFILE && fd != -ENOBUFS)
                eprintf("httpd: accept: %s\n", strerror(-fd));
            listen_paused = 1;
            return;
        }
        struct conn *c = conn_slot();
        c->state = C_READ;
        c->fd = fd;
        c->file = -1;
        c->req_len = c->req_used = 0;
        c->out_off = c->out_len = 0;
        c->quiet = rounds;
    }
}

// ---- responses ----

// The reason phrase of a status code.
static const char *
reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    }
    return "Error";
}

// The Content-Type for a file name, by its suffix.
static const char *
content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html"}, {".htm", "text/html"}, {".txt", "text/plain"},
        {".md", "text/plain"},  {".css", "text/css"},   {".js", "text/javascript"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".json", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot, types[i][0]) == 0)
                return types[i][1];
    return "application/octet-stream";
}

// Start a response on c: the status line and headers into out[] (then the
// caller may append body bytes), state C_SEND.
static void
start_response(struct conn *c, int status, unsigned int length, const char *type)
{
    c->out_off = 0;
    c->out_len = snprintf(c->out, OUT_MAX,
                          "HTTP/1.1 %d %s\r\nServer: dmsm-httpd\r\nContent-Length: %u\r\n"
                          "Content-Type: %s\r\n%sConnection: %s\r\n\r\n",
                          status, reason(status), length, type,
                          status == 405 ? "Allow: GET, HEAD\r\n" : "",
                          c->keep ? "keep-alive" : "close");
    c->state = C_SEND;
}

// An error response with a one-line text body (none for HEAD).
static void
respond_error(struct conn *c, int status, int head)
{
    char body[64];
    int n = snprintf(body, sizeof(body), "%d %s\n", status, reason(status));
    start_response(c, status, (unsigned int)n, "text/plain");
    if (!head) {
        memcpy(c->out + c->out_len, body, (size_t)n);
        c->out_len += n;
    }
}

// Fill out[out_len..) with file bytes, as many as fit. 0, or -1 when the
// file ended early (it shrank after its size went out: end the connection).
static int
refill(struct conn *c)
{
    unsigned int room = (unsigned int)(OUT_MAX - c->out_len);
    unsigned int want = c->file_left < room ? c->file_left : room;
    if (want == 0)
        return 0;
    int n = read(c->file, c->out + c->out_len, want);
    if (n <= 0)
        return -1;
    c->out_len += n;
    c->file_left -= (unsigned int)n;
    return 0;
}

// 200 and the file at r->path, or 404 (missing, a directory, not a
// regular file) or 503 (no descriptor left).
static void
respond_file(struct conn *c, const struct request *r)
{
    int fd = open(r->path, O_RDONLY);
    struct stat st;
    if (fd == -EMFILE || fd == -ENFILE)
        return respond_error(c, 503, r->head);
    if (fd < 0)
        return respond_error(c, 404, r->head);
    if (fstat(fd, &st) < 0 || st.type != T_FILE) {
        close(fd);
        return respond_error(c, 404, r->head);
    }
    start_response(c, 200, st.size, content_type(r->path));
    if (r->head) {
        close(fd);
        return;
    }
    c->file = fd;
    c->file_left = st.size;
    if (refill(c) < 0) { // headers only, then close: the client sees the body short
        c->keep = 0;
        c->file_left = 0;
    }
}

// ---- requests ----

// Whether buf[0..n) holds the byte ch.
static int
has_byte(const char *buf, int n, char ch)
{
    for (int i = 0; i < n; i++)
        if (buf[i] == ch)
            return 1;
    return 0;
}

// The offset just past the blank line that ends a request head in
// buf[0..len), or -1 when it has not all arrived. Lines end in CRLF or LF.
static int
head_end(const char *buf, int len)
{
    for (int i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return -1;
}

// The next line of the head at *p (NUL-terminated in place, CR dropped);
// *p moves past it. 0 at the blank line that ends the head.
static char *
next_line(char **p)
{
    char *line = *p, *nl = strchr(line, '\n');
    if (!nl) // (head_end guarantees a final blank line)
        return 0;
    *nl = 0;
    *p = nl + 1;
    if (nl > line && nl[-1] == '\r')
        nl[-1] = 0;
    return line[0] ? line : 0;
}

// RFC 9110's token characters (method names, header names).
static int
is_tchar(int ch)
{
    return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

// a and b equal, ignoring ASCII case.
static int
same_word(const char *a, const char *b)
{
    while (*a && tolower(*a) == tolower(*b))
        a++, b++;
    return tolower(*a) == tolower(*b);
}

// "HTTP/1.x" to r->minor. 0, or the status to answer: 400 (malformed),
// 505 (another major version).
static int
parse_version(const char *v, struct request *r)
{
    if (strncmp(v, "HTTP/", 5) != 0 || !isdigit(v[5]) || v[6] != '.' || !isdigit(v[7]) || v[8])
        return 400;
    if (v[5] != '1')
        return 505;
    r->minor = v[7] - '0';
    return 0;
}

// The value of one hex digit.
static int
hexval(int ch)
{
    return isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
}

// The target (origin form: "/path?query") to r->path under root:
// percent-decoded, the query dropped. 0, or 400 (not origin form, a bad
// escape, a NUL, a ".." component) or 414 (longer than PATH_MAX).
static int
parse_target(const char *t, struct request *r)
{
    if (t[0] != '/')
        return 400;
    int n = snprintf(r->path, PATH_MAX, "%s", root);
    for (; *t && *t != '?' && *t != '#'; t++) {
        int ch = (unsigned char)*t;
        if (ch == '%') {
            if (!isxdigit(t[1]) || !isxdigit(t[2]))
                return 400;
            ch = hexval(t[1]) * 16 + hexval(t[2]);
            t += 2;
            if (ch == 0)
                return 400;
        }
        if (n + 1 >= PATH_MAX)
            return 414;
        r->path[n++] = (char)ch;
    }
    r->path[n] = 0;
    // after decoding, so that %2e%2e is caught too
    for (const char *p = r->path + strlen(root); (p = strstr(p, "/..")) != 0; p += 3)
        if (p[3] == '/' || p[3] == 0)
            return 400;
    return 0;
}

// The request line "METHOD TARGET VERSION" (modified in place) into r.
// 0, or the status to answer (400, 405, 414, 505).
static int
parse_request_line(char *line, struct request *r)
{
    char *target = strchr(line, ' ');
    char *version = target ? strchr(target + 1, ' ') : 0;
    if (!version || strchr(version + 1, ' '))
        return 400;
    *target++ = 0;
    *version++ = 0;
    if (!line[0])
        return 400;
    for (char *m = line; *m; m++)
        if (!is_tchar(*m))
            return 400;
    int st = parse_version(version, r);
    if (st)
        return st;
    if (strcmp(line, "GET") != 0 && strcmp(line, "HEAD") != 0)
        return 405;
    r->head = line[0] == 'H';
    return parse_target(target, r);
}

// The connection options in a Connection header's value (comma-separated).
static void
parse_connection(char *v, struct request *r)
{
    for (char *tok = v; tok;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = 0;
        while (*tok == ' ' || *tok == '\t')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = 0;
        if (same_word(tok, "close"))
            r->conn_close = 1;
        else if (same_word(tok, "keep-alive"))
            r->conn_keep = 1;
        tok = comma ? comma + 1 : 0;
    }
}

// One header line "Name: value" into r. 0, or 400 (no colon, a bad name,
// an obsolete folded line).
static int
parse_header(char *line, struct request *r)
{
    char *colon = strchr(line, ':');
    if (!colon || colon == line)
        return 400;
    *colon = 0;
    for (char *p = line; *p; p++)
        if (!is_tchar(*p))
            return 400; // (a folded line starts with a space: caught here)
    char *v = colon + 1;
    if (same_word(line, "Connection"))
        parse_connection(v, r);
    else if (same_word(line, "Content-Length"))
        r->has_body |= strtoul(v, 0, 10) > 0;
    else if (same_word(line, "Transfer-Encoding"))
        r->has_body = 1;
    return 0;
}

// Answer the complete request head at c->req[0..len): parse it, decide
// whether the connection stays, start the response.
static void
handle_request(struct conn *c, int len)
{
    struct request r;
    memset(&r, 0, sizeof(r));
    c->req_used = len;
    int status = has_byte(c->req, len, 0) ? 400 : 0; // a NUL would end the lines early
    c->req[len - 1] = 0; // (the head's final '\n': it is parsed as a C string, in place)
    char *p = c->req, *line = next_line(&p);
    if (!status)
        status = line ? parse_request_line(line, &r) : 400;
    while (status == 0 || status == 405) { // (a 405's headers still say whether to keep)
        char *h = next_line(&p);
        if (!h)
            break;
        status = parse_header(h, &r) ? 400 : status;
    }
    c->keep = r.minor >= 1 ? !r.conn_close : r.conn_keep && !r.conn_close;
    if (r.has_body) // a body we do not read: the next request cannot be found
        c->keep = 0;
    if (status == 0)
        return respond_file(c, &r);
    if (status != 405)
        c->keep = 0;
    respond_error(c, status, r.head);
}

// Look for a complete request in c->req; answer it if there is one. A
// buffer full without one: 414 if the request line itself is that long,
// else 431. Empty lines before a request are skipped.
static void
conn_parse(struct conn *c)
{
    int skip = 0;
    while (skip < c->req_len && (c->req[skip] == '\r' || c->req[skip] == '\n'))
        skip++;
    if (skip) {
        memmove(c->req, c->req + skip, (size_t)(c->req_len - skip));
        c->req_len -= skip;
    }
    int end = head_end(c->req, c->req_len);
    if (end > 0)
        return handle_request(c, end);
    if (c->req_len < REQ_MAX)
        return; // wait for more
    c->keep = 0;
    c->req_used = c->req_len;
    respond_error(c, has_byte(c->req, REQ_MAX, '\n') ? 431 : 414, 0);
}

// The response on c is all sent: drop its request from the buffer and read
// the next one (keep-alive), or shut our side and drain (close).
static void
response_done(struct conn *c)
{
    if (c->file >= 0) {
        close(c->file);
        c->file = -1;
    }
    c->out_off = c->out_len = 0;
    if (!c->keep) {
        c->state = C_DRAIN;
        c->req_len = 0;
        if (shutdown(c->fd, SHUT_WR) < 0)
            conn_close(c);
        return;
    }
    memmove(c->req, c->req + c->req_used, (size_t)(c->req_len - c->req_used));
    c->req_len -= c->req_used;
    c->req_used = 0;
    c->state = C_READ;
    conn_parse(c); // a pipelined request may be here already
}

// ---- the poll loop ----

// POLLIN on a reading or draining connection: one read.
static void
conn_readable(struct conn *c)
{
    int n;
    if (c->state == C_DRAIN) {
        n = read(c->fd, c->req, REQ_MAX);
    } else {
        n = read(c->fd, c->req + c->req_len, (size_t)(REQ_MAX - c->req_len));
    }
    if (n == -EAGAIN || n == -EINTR)
        return; // (nothing yet, or a mode switch came first: poll again)
    if (n <= 0) // end of file, -ECONNRESET, ...
        return conn_close(c);
    c->quiet = rounds;
    if (c->state == C_READ) {
        c->req_len += n;
        conn_parse(c);
    }
}

// POLLOUT on a sending connection: refill out[] if it is empty, one write.
static void
conn_writable(struct conn *c)
{
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (refill(c) < 0)
            return conn_close(c);
    }
    int n = write(c->fd, c->out + c->out_off, (size_t)(c->out_len - c->out_off));
    if (n == -EAGAIN || n == -EINTR)
        return;
    if (n < 0) // -EPIPE, -ECONNRESET: the client is gone
        return conn_close(c);
    c->quiet = rounds;
    c->out_off += n;
    if (c->out_off == c->out_len && c->file_left == 0)
        response_done(c);
}

// The events each slot waits for, by its state.
static void
fill_pollfds(void)
{
    pfd[0] = (struct pollfd){listener, listen_paused ? 0 : POLLIN, 0};
    for (int i = 0; i < MAXCONN; i++) {
        struct conn *c = &conns[i];
        short ev = c->state == C_SEND ? POLLOUT : POLLIN;
        pfd[1 + i] = (struct pollfd){c->state == C_FREE ? -1 : c->fd, ev, 0};
    }
}

// Serve forever.
static void __attribute__((noreturn))
serve(void)
{
    for (;;) {
        fill_pollfds();
        int r = poll(pfd, 1 + MAXCONN, -1);
        rounds++;
        if (r == -EINTR)
            continue; // a mode switch was applied at poll's tail
        if (r < 0) {
            eprintf("httpd: poll: %s\n", strerror(-r));
            exit(1);
        }
        for (int i = 0; i < MAXCONN; i++) {
            struct conn *c = &conns[i];
            if (!pfd[1 + i].revents || c->state == C_FREE)
                continue;
            if (c->state == C_SEND)
                conn_writable(c);
            else
                conn_readable(c);
        }
        if (pfd[0].revents & POLLIN)
            accept_all();
    }
}

// A non-blocking TCP socket listening on port of every address.
static int
listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        eprintf("httpd: socket: %s\n", strerror(-fd));
        exit(1);
    }
    int one = 1; // (a restarted server need not wait out TIME_WAIT; a failure costs only that)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                            .sin_addr = htonl(INADDR_ANY)};
    int r = bind(fd, &a, sizeof(a));
    if (r == 0)
        r = listen(fd, LISTEN_BACKLOG);
    if (r < 0) {
        eprintf("httpd: port %d: %s\n", port, strerror(-r));
        exit(1);
    }
    return fd;
}

int
main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 80;
    const char *dir = argc > 2 ? argv[2] : "/";
    struct stat st;
    if (argc > 3 || port <= 0 || port > 65535) {
        eprintf("usage: httpd [PORT [ROOT]]\n");
        return 2;
    }
    if (dir[0] != '/' || strlen(dir) >= PATH_MAX || stat(dir, &st) < 0 || st.type != T_DIR) {
        eprintf("httpd: %s: not a directory (ROOT is an absolute path)\n", dir);
        return 2;
    }
    snprintf(root, sizeof(root), "%s", dir);
    for (size_t n = strlen(root); n > 0 && root[n - 1] == '/'; n--)
        root[n - 1] = 0;
    for (int i = 0; i < MAXCONN; i++) {
        conns[i].state = C_FREE;
        conns[i].fd = conns[i].file = -1;
    }
    listener = listen_on(port);
    printf("httpd: serving %s on port %d (pid %d)\n", dir, port, getpid());
    fflush_stdout();
    serve();
}
