# Teaching OS build, included from guest/Makefile (paths relative to guest/).
# The user programs are linked for USER_BASE, turned into flat binaries and
# embedded in the kernel image by kernel/programs.S.

OSB := $(B)/os
OS_USER_PROGS := init ticker echo

OS_KERNEL_SRC := $(wildcard os/arch/riscv/*.S os/arch/riscv/*.c os/kernel/*.c os/kernel/*.S) \
                 os/lib/fmt.c os/lib/string.c
OS_KERNEL_OBJ := $(patsubst os/%,$(OSB)/%.o,$(OS_KERNEL_SRC))
OS_ULIB_OBJ   := $(patsubst os/%,$(OSB)/%.o,os/lib/ustart.S os/lib/usys.S os/lib/uprintf.c \
                                                   os/lib/fmt.c os/lib/string.c)
OS_USER_BIN   := $(OS_USER_PROGS:%=$(OSB)/user/%.bin)

# The kernel never relies on gp (user programs set their own), hence -mno-relax.
OS_FLAGS := $(IMAC_FLAGS) -mno-relax -fno-omit-frame-pointer

os: $(B)/os.elf $(B)/os-disk.img

$(OSB)/%.o: os/%
	@mkdir -p $(dir $@)
	@echo "  CC      os/$*"
	$(Q)$(CC) $(OS_FLAGS) -Ios/lib -c $< -o $@

# programs.S includes the user binaries, so it is rebuilt when they change.
$(OSB)/kernel/programs.S.o: os/kernel/programs.S $(OS_USER_BIN)
	@mkdir -p $(dir $@)
	@echo "  AS      os/kernel/programs.S"
	$(Q)$(CC) $(OS_FLAGS) -Wa,-I$(OSB)/user -c $< -o $@

$(OSB)/user/%.elf: $(OSB)/user/%.c.o $(OS_ULIB_OBJ) os/user/user.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(OS_FLAGS) $(LDFLAGS) -T os/user/user.ld -o $@ $(filter %.o,$^) $(LDLIBS)

$(OSB)/user/%.bin: $(OSB)/user/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

$(B)/os.elf: $(OS_KERNEL_OBJ) os/arch/riscv/kernel.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(OS_FLAGS) $(LDFLAGS) -T os/arch/riscv/kernel.ld -o $@ $(filter %.o,$^) $(LDLIBS)

# A 1 MiB raw disk whose sector 0 starts with a recognisable signature.
$(B)/os-disk.img:
	@mkdir -p $(dir $@)
	@echo "  DISK    $@"
	$(Q)printf 'RVISOR DISK 0001' > $@.tmp && truncate -s 1M $@.tmp && mv $@.tmp $@
