/* Test helper for cgroup v2 device programs (t/integration/drm-link.sh).
 *   devcg-v2 attach CGROUP_DIR allow|deny   attach a program that allows or
 *                                           denies every device (multi)
 *   devcg-v2 count CGROUP_DIR               programs in effect there
 * A program stays attached after we exit; removing the cgroup detaches it. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int cg = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		perror(argv[2]);
		return 1;
	}
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	if (!strcmp(argv[1], "count")) {
		attr.query.target_fd = (unsigned)cg;
		attr.query.attach_type = BPF_CGROUP_DEVICE;
		attr.query.query_flags = BPF_F_QUERY_EFFECTIVE;
		if (bpf(BPF_PROG_QUERY, &attr) < 0) {
			perror("BPF_PROG_QUERY");
			return 1;
		}
		printf("%u\n", attr.query.prog_cnt);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "attach"))
		return 2;
	/* r0 = verdict; exit */
	struct bpf_insn prog[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = !strcmp(argv[3], "allow") },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (unsigned long)prog;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	int fd = (int)bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		perror("BPF_PROG_LOAD");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (unsigned)cg;
	attr.attach_bpf_fd = (unsigned)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0) {
		perror("BPF_PROG_ATTACH");
		return 1;
	}
	return 0;
}
