// true: do nothing, successfully (exit status 0). The smallest whole
// program: bench times fork + exec + exit of it, static and dynamic.
int
main(void)
{
    return 0;
}
