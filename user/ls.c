// ls: lists directories, sorted by name.
//   ls [-l] [PATH...]   (default ".")
// With -l each entry gets a stat() call (this is the paper's stat-heavy
// benchmark program) and a line: type, inode, links, size, name, e.g.
//   -   12  1   5120 cat
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int long_format;

static char
type_char(unsigned int type)
{
    return type == T_DIR ? 'd' : type == T_DEV ? 'c' : '-';
}

// Prints one entry. path is what to stat, name what to show.
// Returns 0, or 1 when stat fails.
static int
show(const char *path, const char *name)
{
    struct stat st;

    if (!long_format) {
        printf("%s\n", name);
        return 0;
    }
    int r = stat(path, &st);
    if (r < 0) {
        eprintf("ls: %s: %s\n", path, strerror(-r));
        return 1;
    }
    printf("%c%5u%3u%7u %s\n", type_char(st.type), st.ino, st.nlink, st.size,
           name);
    return 0;
}

// Reads every entry of directory dir into a malloc'ed array. Returns the
// number of entries and sets *out, or returns a negative errno.
static int
read_dir(const char *dir, struct dirent **out)
{
    struct dirent buf[16];
    struct dirent *all = NULL;
    int n = 0, cap = 0, got;

    int fd = open(dir, O_RDONLY);
    if (fd < 0)
        return fd;
    // getdents fills buf with whole records and returns 0 at the end.
    while ((got = getdents(fd, buf, sizeof(buf))) > 0) {
        int k = got / (int)sizeof(struct dirent);
        if (n + k > cap) {
            cap = cap ? 2 * cap : 64;
            while (cap < n + k)
                cap *= 2;
            struct dirent *bigger = realloc(all, cap * sizeof(struct dirent));
            if (bigger == NULL) {
                got = -ENOMEM;
                break;
            }
            all = bigger;
        }
        memcpy(all + n, buf, k * sizeof(struct dirent));
        n += k;
    }
    close(fd);
    if (got < 0) {
        free(all);
        return got;
    }
    *out = all;
    return n;
}

// Insertion sort of pointers by name: quick enough for a few hundred names,
// and much shorter than a quicksort.
static void
sort_names(struct dirent **v, int n)
{
    for (int i = 1; i < n; i++) {
        struct dirent *d = v[i];
        int j = i;
        for (; j > 0 && strcmp(v[j - 1]->name, d->name) > 0; j--)
            v[j] = v[j - 1];
        v[j] = d;
    }
}

// Lists directory dir. Returns 0, or 1 after an error.
static int
list_dir(const char *dir)
{
    struct dirent *ents = NULL;
    char path[PATH_MAX];
    int status = 0;
    // "/" + "/" + name would give "//name": add the slash only when missing.
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";

    int n = read_dir(dir, &ents);
    if (n < 0) {
        eprintf("ls: %s: %s\n", dir, strerror(-n));
        return 1;
    }
    struct dirent **order = malloc((n + 1) * sizeof(*order));
    if (order == NULL) {
        eprintf("ls: %s: %s\n", dir, strerror(ENOMEM));
        free(ents);
        return 1;
    }
    for (int i = 0; i < n; i++)
        order[i] = &ents[i];
    sort_names(order, n);
    for (int i = 0; i < n; i++) {
        // The kernel does not guarantee a NUL when a name fills name[].
        char name[NAME_MAX + 1];
        snprintf(name, sizeof(name), "%.*s", NAME_MAX, order[i]->name);
        if (snprintf(path, sizeof(path), "%s%s%s", dir, sep, name) >= (int)sizeof(path)) {
            eprintf("ls: %s%s%s: %s\n", dir, sep, name, strerror(ENAMETOOLONG));
            status = 1;
            continue;
        }
        status |= show(path, name);
    }
    free(order);
    free(ents);
    return status;
}

int
main(int argc, char **argv)
{
    int i = 1, status = 0;

    if (i < argc && strcmp(argv[i], "-l") == 0) {
        long_format = 1;
        i++;
    }
    if (i < argc && argv[i][0] == '-') {
        eprintf("usage: ls [-l] [PATH...]\n");
        return 1;
    }
    if (i == argc)
        return list_dir(".");

    int many = argc - i > 1;
    for (; i < argc; i++) {
        struct stat st;
        int r = stat(argv[i], &st);
        if (r < 0) {
            eprintf("ls: %s: %s\n", argv[i], strerror(-r));
            status = 1;
        } else if (st.type == T_DIR) {
            if (many) // name each listing when there are several
                printf("%s:\n", argv[i]);
            status |= list_dir(argv[i]);
        } else {
            status |= show(argv[i], argv[i]);
        }
    }
    return status;
}
