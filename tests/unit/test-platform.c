/* SPDX-License-Identifier: MIT */
/* platform/: the cells generated from the model, and the one QEMU argv builder. */
#include <errno.h>
#include <stdlib.h>

#include "platform/cells.h"
#include "platform/qemu-argv.h"
#include "unit.h"

/* The matrix as it was written by hand before it was generated: names and order must not move. */
static const char *const expected_cells[] = {
        "aa64-edk2-gicv3-pci", "aa64-edk2-gicv3-pci-noacpi", "aa64-edk2-gicv3-mmio", "aa64-edk2-gicv3-mmio-noacpi",
        "aa64-edk2-gicv2-pci", "aa64-edk2-gicv2-pci-noacpi", "aa64-edk2-gicv2-mmio", "aa64-edk2-gicv2-mmio-noacpi",
        "aa64-edk2-gicv3-pci-max",
        "aa64-uboot-gicv3-pci", "aa64-uboot-gicv3-mmio", "aa64-uboot-gicv2-pci", "aa64-uboot-gicv2-mmio",
        "aa64-uboot-gicv3-pci-max",
        "arm-edk2-gicv2-pci", "arm-edk2-gicv2-mmio", "arm-edk2-gicv3-pci", "arm-edk2-gicv3-mmio",
        "arm-uboot-gicv2-pci", "arm-uboot-gicv2-mmio", "arm-uboot-gicv3-pci", "arm-uboot-gicv3-mmio",
};

static const struct platform *cell(const struct platform_matrix *m, const char *name)
{
        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->cells[i].name, name) == 0)
                        return &m->cells[i];
        return NULL;
}

static void check_argv(char **got, const char *const *want)
{
        size_t i = 0;

        for (; got[i] && want[i]; i++)
                CHECK_STR(got[i], want[i]);
        CHECK(!got[i]);
        CHECK(!want[i]);
}

TEST(cells_names_and_order)
{
        struct platform_matrix m = {};

        CHECK_INT(platform_matrix_generate(&m), 0);
        CHECK_INT(m.n, ELEMENTSOF(expected_cells));
        for (size_t i = 0; i < m.n && i < ELEMENTSOF(expected_cells); i++)
                CHECK_STR(m.cells[i].name, expected_cells[i]);
        platform_matrix_done(&m);
}

TEST(cells_defaults)
{
        struct platform_matrix m = {};
        size_t n_default = 0;

        CHECK_INT(platform_matrix_generate(&m), 0);
        for (size_t i = 0; i < m.n; i++)
                if (m.cells[i].is_default) {
                        n_default++;
                        CHECK(strcmp(m.cells[i].name, "aa64-edk2-gicv3-pci") == 0 ||
                              strcmp(m.cells[i].name, "aa64-uboot-gicv3-pci") == 0 ||
                              strcmp(m.cells[i].name, "arm-edk2-gicv2-pci") == 0 ||
                              strcmp(m.cells[i].name, "arm-uboot-gicv2-pci") == 0);
                }
        CHECK_INT(n_default, 4);
        CHECK(platform_reference(&m, arch_find("arm64"), FIRMWARE_EDK2) == cell(&m, "aa64-edk2-gicv3-pci"));
        CHECK(platform_reference(&m, arch_find("arm"), FIRMWARE_UBOOT) == cell(&m, "arm-uboot-gicv2-pci"));
        platform_matrix_done(&m);
}

TEST(cells_settings)
{
        struct platform_matrix m = {};
        const struct platform *p;

        CHECK_INT(platform_matrix_generate(&m), 0);

        p = cell(&m, "aa64-edk2-gicv2-mmio-noacpi");
        CHECK(p != NULL);
        if (p) {
                CHECK_STR(p->arch->name, "aa64");
                CHECK(p->firmware->family == &firmware_edk2);
                CHECK_INT(p->irqchip->gic_version, 2);
                CHECK_STR(p->bus->device, "virtio-blk-device");
                CHECK(!p->acpi);
                CHECK_STR(p->cpu, "cortex-a57");
                CHECK(!p->is_default);
        }
        p = cell(&m, "aa64-edk2-gicv3-pci-max");
        CHECK(p != NULL);
        if (p) {
                CHECK_STR(p->cpu, "max");
                CHECK(p->acpi);
                CHECK_INT(p->irqchip->gic_version, 3);
                CHECK_STR(p->bus->name, "pci");
        }
        p = cell(&m, "aa64-uboot-gicv3-pci-max");
        CHECK(p != NULL);
        if (p) {
                CHECK(p->firmware->family == &firmware_uboot);
                CHECK(!p->acpi);  /* U-Boot hands over the device tree: no ACPI to switch */
        }
        p = cell(&m, "arm-edk2-gicv3-mmio");
        CHECK(p != NULL);
        if (p) {
                CHECK_STR(p->machine->qemu, "qemu-system-arm");
                CHECK_STR(p->cpu, "cortex-a15");
                CHECK(!p->acpi);  /* AAVMF32 has no ACPI: no -noacpi twin */
                CHECK_STR(p->firmware->package, "qemu-efi-arm");
        }
        platform_matrix_done(&m);
}

TEST(select)
{
        char spec_ok[] = "default,aa64-edk2-gicv2-mmio";
        char spec_other[] = "arm-edk2-gicv2-pci";
        char spec_unknown[] = "aa64-edk2-gicv4-pci";
        char *specs[] = { spec_ok };
        struct platform_matrix m = {};
        const struct platform **list = NULL;

        CHECK_INT(platform_matrix_generate(&m), 0);
        CHECK_INT(platform_select(&m, arch_find("aa64"), NULL, 0, &list), 2);
        if (list) {
                CHECK_STR(list[0]->name, "aa64-edk2-gicv3-pci");
                CHECK_STR(list[1]->name, "aa64-uboot-gicv3-pci");
        }
        free(list);
        list = NULL;
        /* Matrix order, not the order asked for. */
        CHECK_INT(platform_select(&m, arch_find("aa64"), specs, 1, &list), 3);
        if (list)
                CHECK_STR(list[1]->name, "aa64-edk2-gicv2-mmio");
        free(list);
        specs[0] = spec_other;
        CHECK_INT(platform_select(&m, arch_find("aa64"), specs, 1, &list), -EINVAL);
        specs[0] = spec_unknown;
        CHECK_INT(platform_select(&m, arch_find("aa64"), specs, 1, &list), -EINVAL);
        platform_matrix_done(&m);
}

TEST(argv_edk2_pci)
{
        static const char *const want[] = {
                "/usr/bin/qemu-system-aarch64", "-no-user-config", "-M", "virt,gic-version=3", "-cpu", "cortex-a57",
                "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-nic", "none", "-no-reboot", "-boot", "menu=on,splash-time=0",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd",
                /* Commas in file names doubled: QEMU's option-list escape. */
                "-drive", "if=pflash,format=raw,unit=1,file=/tmp/run,,1/VARS.fd",
                "-drive", "if=none,id=disk0,format=raw,snapshot=on,file=/img/a,,b.img",
                "-device", "virtio-blk-pci,drive=disk0", NULL,
        };
        struct platform_matrix m = {};
        char **argv = NULL;
        struct machine_config c = {
                .qemu = "/usr/bin/qemu-system-aarch64",
                .memory_mib = 1024,
                .cpus = 2,
                .console = QEMU_CONSOLE_PIPE,
                .no_reboot = true,
                .disk = "/img/a,b.img",
                .snapshot = true,
                .code = "/usr/share/AAVMF/AAVMF_CODE.fd",
                .vars = "/tmp/run,1/VARS.fd",
        };

        CHECK_INT(platform_matrix_generate(&m), 0);
        c.cell = cell(&m, "aa64-edk2-gicv3-pci");
        CHECK(c.cell != NULL);
        if (c.cell) {
                CHECK_INT(platform_qemu_argv(&c, &argv), 0);
                if (argv)
                        check_argv(argv, want);
                strv_free(argv);
                /* No VARS file and no window: nothing to give pflash1. */
                c.vars = NULL;
                argv = NULL;
                CHECK_INT(platform_qemu_argv(&c, &argv), -EINVAL);
                CHECK(!argv);
        }
        platform_matrix_done(&m);
}

TEST(argv_edk2_noacpi_window)
{
        static const char *const want[] = {
                "qemu-system-aarch64", "-no-user-config", "-M", "virt,gic-version=2,acpi=off", "-cpu", "cortex-a57",
                "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-nic", "none", "-no-reboot", "-boot", "menu=on,splash-time=0",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/c.fd",
                "-blockdev", "node-name=varsfile,driver=file,filename=/d.img,locking=off",
                "-blockdev", "node-name=vars,driver=raw,file=varsfile,offset=269484032,size=67108864",
                "-machine", "pflash1=vars",
                "-drive", "if=none,id=disk0,format=raw,snapshot=on,file.locking=off,file=/d.img",
                "-device", "virtio-blk-device,drive=disk0", NULL,
        };
        struct platform_matrix m = {};
        char **argv = NULL, **window = NULL;
        struct machine_config c = {
                .memory_mib = 1024,
                .cpus = 2,
                .no_reboot = true,
                .disk = "/d.img",
                .snapshot = true,
                .code = "/c.fd",
                .vars_offset = 269484032,
                .vars_size = 67108864,
        };

        CHECK_INT(platform_matrix_generate(&m), 0);
        c.cell = cell(&m, "aa64-edk2-gicv2-mmio-noacpi");
        CHECK(c.cell != NULL);
        if (c.cell) {
                CHECK_INT(platform_qemu_argv(&c, &argv), 0);
                if (argv)
                        check_argv(argv, want);
                CHECK_INT(platform_qemu_vars_window_argv(&c, "mkvm-", &window), 0);
                if (window) {
                        CHECK_STR(window[1], "node-name=mkvm-varsfile,driver=file,filename=/d.img,locking=off");
                        CHECK_STR(window[5], "pflash1=mkvm-vars");
                        CHECK(!window[6]);
                }
        }
        strv_free(argv);
        strv_free(window);
        platform_matrix_done(&m);
}

TEST(argv_uboot_mmio)
{
        static const char *const want[] = {
                "/usr/bin/qemu-system-arm", "-no-user-config", "-M", "virt,gic-version=3", "-cpu", "cortex-a15",
                "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-nic", "none", "-no-reboot", "-bios", "/usr/lib/u-boot/qemu_arm/u-boot.bin",
                "-drive", "if=none,id=disk0,format=raw,snapshot=on,file=/img/x.img",
                "-device", "virtio-blk-device,drive=disk0", NULL,
        };
        struct platform_matrix m = {};
        char **argv = NULL;
        struct machine_config c = {
                .qemu = "/usr/bin/qemu-system-arm",
                .memory_mib = 1024,
                .cpus = 2,
                .no_reboot = true,
                .disk = "/img/x.img",
                .snapshot = true,
                .bios = "/usr/lib/u-boot/qemu_arm/u-boot.bin",
                /* A varstore window means nothing to U-Boot: no window, no file.locking=off. */
                .vars_offset = 4096,
                .vars_size = 67108864,
        };

        CHECK_INT(platform_matrix_generate(&m), 0);
        c.cell = cell(&m, "arm-uboot-gicv3-mmio");
        CHECK(c.cell != NULL);
        if (c.cell) {
                CHECK_STR(c.cell->firmware->bios, "/usr/lib/u-boot/qemu_arm/u-boot.bin");
                CHECK_INT(platform_qemu_argv(&c, &argv), 0);
                if (argv)
                        check_argv(argv, want);
        }
        strv_free(argv);
        platform_matrix_done(&m);
}

/* The bundle's run script line: same builder, the script's variables for paths, shell-quoted. */
TEST(argv_bundle_form)
{
        static const char want_flash[] =
                "\"$qemu\" -no-user-config -M virt,gic-version=3 -cpu cortex-a57 -m 512 -smp 3 \\\n"
                "        -nographic -nic none \\\n"
                "        -boot menu=on,splash-time=0 \\\n"
                "        -drive \"if=pflash,format=raw,unit=0,readonly=on,file=$dir/efi-code.fd\" \\\n"
                "        -drive \"if=pflash,format=raw,unit=1,file=$dir/efi-vars.fd\" \\\n"
                "        -drive \"if=none,id=disk0,format=raw,file=$dir/disk.img\" \\\n"
                "        -device virtio-blk-pci,drive=disk0";
        static const char want_window[] =
                "\"$qemu\" -no-user-config -M virt,gic-version=2 -cpu cortex-a15 -m 1024 -smp 2 \\\n"
                "        -nographic -nic none \\\n"
                "        -boot menu=on,splash-time=0 \\\n"
                "        -drive \"if=pflash,format=raw,unit=0,readonly=on,file=$dir/efi-code.fd\" \\\n"
                "        -blockdev \"node-name=varsfile,driver=file,filename=$dir/disk.img,locking=off\" \\\n"
                "        -blockdev \"node-name=vars,driver=raw,file=varsfile,offset=269484032,size=67108864\" \\\n"
                "        -machine pflash1=vars \\\n"
                "        -drive \"if=none,id=disk0,format=raw,file.locking=off,file=$dir/disk.img\" \\\n"
                "        -device virtio-blk-pci,drive=disk0";
        struct platform_matrix m = {};
        char **argv = NULL, *text = NULL;
        struct machine_config c = {
                .qemu = "$qemu",
                .memory_mib = 512,
                .cpus = 3,
                .console = QEMU_CONSOLE_TERMINAL,
                .disk = "$dir/disk.img",
                .code = "$dir/efi-code.fd",
                .vars = "$dir/efi-vars.fd",
        };

        CHECK_INT(platform_matrix_generate(&m), 0);
        c.cell = platform_reference(&m, arch_find("aa64"), FIRMWARE_EDK2);
        CHECK(c.cell != NULL);
        if (c.cell) {
                CHECK_INT(platform_qemu_argv(&c, &argv), 0);
                CHECK_INT(qemu_argv_to_shell(argv, &text), 0);
                CHECK_STR(text, want_flash);
                strv_free(argv);
                free(text);
                argv = NULL;
                text = NULL;
        }

        c.cell = platform_reference(&m, arch_find("arm"), FIRMWARE_EDK2);
        c.memory_mib = 1024;
        c.cpus = 2;
        c.vars = NULL;
        c.vars_offset = 269484032;
        c.vars_size = 67108864;
        CHECK(c.cell != NULL);
        if (c.cell) {
                CHECK_INT(platform_qemu_argv(&c, &argv), 0);
                CHECK_INT(qemu_argv_to_shell(argv, &text), 0);
                CHECK_STR(text, want_window);
                strv_free(argv);
                free(text);
        }
        platform_matrix_done(&m);
}

TEST(shell_quoting)
{
        char *argv[] = { "/opt/my qemu/bin", "-drive", "file=it's \"q\" `x` \\", "-name", "a b", NULL };
        char *text = NULL;

        CHECK_INT(qemu_argv_to_shell(argv, &text), 0);
        CHECK_STR(text, "\"/opt/my qemu/bin\" \\\n"
                        "        -drive \"file=it's \\\"q\\\" \\`x\\` \\\\\" \\\n"
                        "        -name \"a b\"");
        free(text);
}

int main(void)
{
        RUN(cells_names_and_order);
        RUN(cells_defaults);
        RUN(cells_settings);
        RUN(select);
        RUN(argv_edk2_pci);
        RUN(argv_edk2_noacpi_window);
        RUN(argv_uboot_mmio);
        RUN(argv_bundle_form);
        RUN(shell_quoting);
        return unit_exit();
}
