# The user programs, linked for USER_BASE and stored here as flat images.
# The build passes the folder holding the .bin files to the assembler (-I).
    .section .rodata
    .balign 8

    .globl prog_init_start, prog_init_end
prog_init_start:
    .incbin "init.bin"
prog_init_end:

    .balign 8
    .globl prog_ticker_start, prog_ticker_end
prog_ticker_start:
    .incbin "ticker.bin"
prog_ticker_end:

    .balign 8
    .globl prog_echo_start, prog_echo_end
prog_echo_start:
    .incbin "echo.bin"
prog_echo_end:
