/* The pattern `secret` writes over its RAM and `scan` looks for. */
#ifndef SECRET_H
#define SECRET_H

#define SECRET_PATTERN 0x5ec2e75ec2e75ec2ULL
#define PAGE 4096UL

#endif
