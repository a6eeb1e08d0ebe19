/* Console: the terminal's line discipline. UART input arrives by interrupt;
 * it is edited here (backspace, Ctrl-U), a line is handed to read() when Enter
 * or Ctrl-D ends it, and Ctrl-C kills the foreground job. Output goes straight
 * to the UART.
 *
 * Echo: a character is echoed as it is typed while a program waits for the
 * line it belongs to; input typed ahead (or piped in) is echoed when a program
 * reads it, so a transcript shows each command next to its output. */
#include "kernel.h"

#define CONS_BUF 1024
#define CTRL(x) ((x) - '@')

static struct {
    char buf[CONS_BUF];
    uint32_t r, w, e;           /* read, committed, edit positions (free-running) */
    uint32_t x;                 /* input before x has been echoed */
    int readers;                /* processes waiting in console_read */
    int esc;                    /* inside an escape sequence (arrow keys): 1 after ESC, 2 after [ */
    int fg;                     /* the foreground job's process group */
} cons;

/* Runs for echoed input: the same path as kernel output. */
static void cons_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

/* Runs in the UART driver before it takes a byte: is there room for it? */
int console_room(void)
{
    return cons.e - cons.r < CONS_BUF;
}

/* Runs on Backspace and Ctrl-U: drop the last character of the line being
 * typed, and from the screen too if it was echoed. */
static void erase(void)
{
    cons.e--;
    if ((int32_t)(cons.x - cons.e) > 0) {
        cons.x = cons.e;
        cons_putc('\b'); cons_putc(' '); cons_putc('\b');
    }
}

/* Runs in the UART interrupt handler for every received byte. */
void console_intr(char c)
{
    stats.uart_irqs++;
    if (c == 0x1b || cons.esc) {                /* ESC [ ... final byte: ignored */
        if (c == 0x1b)
            cons.esc = 1;
        else if (cons.esc == 1)
            cons.esc = c == '[' ? 2 : 0;
        else if (c >= 0x40 && c <= 0x7e)
            cons.esc = 0;
        return;
    }
    switch (c) {
    case CTRL('C'):
        cons.e = cons.w;                    /* drop the line being typed */
        if ((int32_t)(cons.x - cons.e) > 0)
            cons.x = cons.e;
        cons_putc('^'); cons_putc('C'); cons_putc('\n');
        if (cons.fg > 1)
            proc_kill_group(cons.fg);
        break;
    case CTRL('U'):
        while (cons.e != cons.w && cons.buf[(cons.e - 1) % CONS_BUF] != '\n')
            erase();
        break;
    case CTRL('H'):
    case 0x7f:
        if (cons.e != cons.w)
            erase();
        break;
    default:
        if (c == '\r')
            c = '\n';
        if (c == 0 || (c != '\n' && c != CTRL('D') && c != '\t' && (uint8_t)c < 0x20))
            break;                          /* other control characters are ignored */
        if (cons.e - cons.r >= CONS_BUF)
            break;
        cons.buf[cons.e++ % CONS_BUF] = c;
        if (cons.readers && cons.r == cons.w && cons.x == cons.e - 1) {
            cons.x = cons.e;                /* someone waits for this line: echo now */
            if (c != CTRL('D'))
                cons_putc(c);
        }
        if (c == '\n' || c == CTRL('D') || cons.e - cons.r == CONS_BUF) {
            cons.w = cons.e;
            wakeup(&cons);
        }
    }
}

/* Runs in read() on the console: one line at most; 0 at Ctrl-D on an empty
 * line (end of input); -1 if killed meanwhile. */
int console_read(char *dst, int n)
{
    int got = 0;
    while (got < n) {
        while (cons.r == cons.w) {
            if (myproc()->killed)
                return -1;
            cons.readers++;
            sleep(&cons);
            cons.readers--;
        }
        char c = cons.buf[cons.r % CONS_BUF];
        if ((int32_t)(cons.x - cons.r) <= 0) {   /* typed ahead: echo it now */
            cons.x = cons.r + 1;
            if (c != CTRL('D'))
                cons_putc(c);
        }
        cons.r++;
        if (c == CTRL('D'))
            break;                          /* ends the line; alone, it is end of input */
        dst[got++] = c;
        if (c == '\n')
            break;
    }
    uart_rx_resume();
    return got;
}

/* Runs in write() on the console: polled output, \n becomes \r\n for terminals. */
int console_write(const char *src, int n)
{
    for (int i = 0; i < n; i++)
        cons_putc(src[i]);
    return n;
}

/* Runs in setfg(): which job Ctrl-C interrupts. */
void console_set_fg(int pgid)
{
    cons.fg = pgid;
}
