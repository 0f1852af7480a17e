# Lab 8: the first segment TCP's receive path hands data_input.
#   make qemu-gdb-t_loopback GDBCMDS=tools/labs/lab8-rx.gdb
# Extend it, once data_input is written: break data_input if s->len > 0,
# continue, and watch rcv_nxt, rx_start and rx_len move (next, print).
break data_input
continue
printf "segment seq %u, %u bytes, flags 0x%x, port %u -> %u\n", s->seq, s->len, s->flags, s->sport, s->dport
printf "connection: rcv_nxt %u, window %u of %u (rx_start %u, rx_len %u), state ", t->rcv_nxt, sizeof(t->rx) - t->rx_len, sizeof(t->rx), t->rx_start, t->rx_len
output t->state
echo \n
