// echo: prints its arguments separated by spaces, then a newline.
#include <stdio.h>

int
main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i < argc - 1 ? " " : "");
    printf("\n");
    return fflush_stdout() < 0 ? 1 : 0;
}
