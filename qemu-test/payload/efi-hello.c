/* SPDX-License-Identifier: MIT */
/*
 * The smallest guest that proves a layout boots: the firmware found the
 * removable-media file, loaded it as an EFI application and ran it. It says
 * where it came from (firmware vendor, device path) so a test can tell which
 * firmware and which disk transport booted it, counts its boots in a
 * non-volatile variable (so a test can see variables persist from one boot
 * to the next), then powers the VM off so QEMU exits by itself.
 */
#include "efi.h"

static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static const EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static const EFI_GUID device_path_to_text_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;

/* mkvmimage's own vendor GUID for the boot counter: 6D6B766D-6967-4F00-8B00-626F6F74636E. */
static const EFI_GUID counter_vendor = { 0x6d6b766d, 0x6967, 0x4f00, { 0x8b, 0x00, 0x62, 0x6f, 0x6f, 0x74, 0x63, 0x6e } };
static const CHAR16 counter_name[] = u"MkvmimageBootCount";

static void print(EFI_SYSTEM_TABLE *st, const CHAR16 *s)
{
        st->ConOut->OutputString(st->ConOut, s);
}

/* No division: 32-bit ARM would need a runtime helper we do not link. */
static void print_hex(EFI_SYSTEM_TABLE *st, UINT32 v)
{
        CHAR16 buf[11] = { u'0', u'x' };
        int n = 2;

        for (int shift = 28; shift >= 0; shift -= 4) {
                unsigned d = (v >> shift) & 0xf;
                buf[n++] = d < 10 ? u'0' + d : u'a' + d - 10;
        }
        buf[n] = 0;
        print(st, buf);
}

static void print_device_path(EFI_SYSTEM_TABLE *st, EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *to_text,
                              const EFI_DEVICE_PATH_PROTOCOL *path)
{
        CHAR16 *text;

        if (!to_text || !path) {
                print(st, u"unknown");
                return;
        }
        text = to_text->ConvertDevicePathToText(path, 0, 0);
        if (!text) {
                print(st, u"unknown");
                return;
        }
        print(st, text);
        st->BootServices->FreePool(text);
}

/* "MKVMIMAGE-BOOT-COUNT: 0x00000003" (this boot included), or the status of a failed write. */
static void count_boot(EFI_SYSTEM_TABLE *st)
{
        EFI_RUNTIME_SERVICES *rt = st->RuntimeServices;
        UINT32 count = 0, attributes = 0;
        UINTN size = sizeof(count);
        EFI_STATUS status;

        if (rt->GetVariable(counter_name, &counter_vendor, &attributes, &size, &count) != EFI_SUCCESS ||
            size != sizeof(count))
                count = 0;
        count++;
        status = rt->SetVariable(counter_name, &counter_vendor,
                                 EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
                                 sizeof(count), &count);
        print(st, u"MKVMIMAGE-BOOT-COUNT: ");
        if (status == EFI_SUCCESS)
                print_hex(st, count);
        else {
                print(st, u"not saved, status ");
                print_hex(st, (UINT32) status);
        }
        print(st, u"\r\n");
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
        EFI_BOOT_SERVICES *bs = st->BootServices;
        EFI_LOADED_IMAGE_PROTOCOL *loaded = 0;
        EFI_DEVICE_PATH_PROTOCOL *device = 0;
        EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *to_text = 0;

        print(st, u"\r\nMKVMIMAGE-BOOT-OK\r\n");

        print(st, u"MKVMIMAGE-FIRMWARE: ");
        print(st, st->FirmwareVendor ? st->FirmwareVendor : u"unknown");
        print(st, u" revision ");
        print_hex(st, st->FirmwareRevision);
        print(st, u" UEFI ");
        print_hex(st, st->Hdr.Revision);
        print(st, u"\r\n");

        if (bs->HandleProtocol(image, &loaded_image_guid, (void **)&loaded) != EFI_SUCCESS)
                loaded = 0;
        if (loaded && bs->HandleProtocol(loaded->DeviceHandle, &device_path_guid, (void **)&device) != EFI_SUCCESS)
                device = 0;
        if (bs->LocateProtocol(&device_path_to_text_guid, 0, (void **)&to_text) != EFI_SUCCESS)
                to_text = 0;

        print(st, u"MKVMIMAGE-DEVICE: ");
        print_device_path(st, to_text, device);
        print(st, u"\r\nMKVMIMAGE-FILE: ");
        print_device_path(st, to_text, loaded ? loaded->FilePath : 0);
        print(st, u"\r\n");

        count_boot(st);

        st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, 0);
        for (;;)
                ;
}
