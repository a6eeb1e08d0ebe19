/* Constants shared by the ISA test programs (assembly and C). */
#ifndef ISA_DEFS_H
#define ISA_DEFS_H

#define UART_BASE       0x10000000
#define UART_LSR        5
#define UART_LSR_THRE   0x20
#define TESTDEV_BASE    0x100000
#define TESTDEV_PASS    0x5555
#define TESTDEV_FAIL    0x3333
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      0x2000000
#define CLINT_MTIMECMP  0x2004000
#define CLINT_MTIME     0x200bff8

#define MAX_HARTS       2

/* Per-hart block (tp points at it; mscratch and sscratch hold its address). */
#define HB_SHIFT        13              /* 8 KiB per hart */
#define HB_COUNT        0               /* exceptions recorded since TRAP_ARM */
#define HB_CAUSE        8               /* last exception: xcause */
#define HB_EPC          16              /*                 xepc */
#define HB_TVAL         24              /*                 xtval */
#define HB_MODE         32              /*   mode that took it: 3 (M) or 1 (S) */
#define HB_PRIV         40              /*   mode it came from (xPP) */
#define HB_STATUS       48              /*   mstatus / sstatus on entry */
#define HB_RESUME       56              /* one-shot: resume address after an exception */
#define HB_SKIP         64              /* one-shot: resume after the trapping instruction */
#define HB_LOGN         72              /* number of interrupts logged */
#define HB_LOG          80              /* 8 entries: interrupt codes in the order taken */
#define HB_LOGMODE      144             /* 8 entries: mode that took each interrupt */
#define HB_HARTID       208
#define HB_NFAIL        216             /* number of failed checks */
#define HB_FIRSTFAIL    224             /* number of the first failed check */
#define HB_DEFER        232             /* nonzero: queue failure reports, print later */
#define HB_QN           240             /* queued reports */
#define HB_QPRINTED     248             /* queued reports already printed */
#define HB_IRQEPC       256             /* xepc of the last interrupt */
#define HB_IRQSTATUS    264             /* mstatus / sstatus on entry of the last interrupt */
#define HB_IRQPRIV      272             /* mode the last interrupt came from */
#define HB_MCOUNT       280             /* total traps taken in M (any kind) */
#define HB_SCOUNT       288             /* total traps taken in S (any kind) */
#define HB_USER0        296             /* free for tests: 8 slots */
#define HB_QEMU         376             /* 1: running on QEMU (its marchid = mimpid = version) */
#define HB_RESUMEPRIV   384             /* one-shot with HB_RESUME: 1 + mode to resume in (0: same) */
#define HB_HEXT         392             /* nonzero: the S handler also records hstatus, htval, htinst */
#define HB_TVAL2        400             /* last exception: mtval2 / htval (with the H extension) */
#define HB_TINST        408             /*                 mtinst / htinst */
#define HB_HSTATUS      416             /*                 hstatus on entry to HS */
#define HB_VSCOUNT      424             /* total traps taken in VS (any kind) */
#define HB_QUEUE        512             /* 16 x (n, got, expected) = 384 bytes */
#define HB_QMAX         16
#define HB_MSAVE        1024            /* M handler register save area (32 x 8) */
#define HB_SSAVE        1280            /* S handler register save area */
#define HB_FSAVE        1536            /* check-failure routine save area */
#define HB_MSTACK_TOP   4096
#define HB_SSTACK_TOP   6144
#define HB_FSTACK_TOP   8192

/* ecall service: a7 = SVC_MAGIC, a0 = service number */
#define SVC_MAGIC       0x7e57
#define SVC_GO_M        0               /* return to the next instruction in M-mode */

#define MSTATUS_SIE     (1 << 1)
#define MSTATUS_MIE     (1 << 3)
#define MSTATUS_SPIE    (1 << 5)
#define MSTATUS_MPIE    (1 << 7)
#define MSTATUS_SPP     (1 << 8)
#define MSTATUS_MPP     (3 << 11)
#define MSTATUS_MPP_S   (1 << 11)
#define MSTATUS_FS      (3 << 13)
#define MSTATUS_FS_INIT (1 << 13)
#define MSTATUS_MPRV    (1 << 17)
#define MSTATUS_SUM     (1 << 18)
#define MSTATUS_MXR     (1 << 19)
#define MSTATUS_TVM     (1 << 20)
#define MSTATUS_TW      (1 << 21)
#define MSTATUS_TSR     (1 << 22)
#define MSTATUS_GVA     (1 << 38)
#define MSTATUS_MPV     (1 << 39)

#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL           2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_FETCH_PAGE        12
#define CAUSE_LOAD_PAGE         13
#define CAUSE_STORE_PAGE        15
#define CAUSE_ECALL_VS          10
#define CAUSE_FETCH_GUEST_PAGE  20
#define CAUSE_LOAD_GUEST_PAGE   21
#define CAUSE_VIRTUAL           22
#define CAUSE_STORE_GUEST_PAGE  23

#endif
