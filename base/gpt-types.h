/* SPDX-License-Identifier: MIT */
#pragma once

#include "base/guid.h"

/*
 * The GPT partition types the project itself names, each spelled once: as
 * its 16 bytes in string order. GUID_INIT() makes the guid_t of such a
 * spelling and GUID_STR() its canonical string (for messages and --help),
 * both at compile time, so the bytes and the text cannot drift apart. The
 * arch-specific root types live in the architecture table (base/arch.c).
 */

#define GUID_INIT(bytes) GUID_INIT_(bytes)
#define GUID_STR(bytes) GUID_STR_(bytes)
#define GUID_INIT_(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)     \
        { { 0x##a, 0x##b, 0x##c, 0x##d, 0x##e, 0x##f, 0x##g, 0x##h,    \
            0x##i, 0x##j, 0x##k, 0x##l, 0x##m, 0x##n, 0x##o, 0x##p } }
#define GUID_STR_(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)      \
        #a #b #c #d "-" #e #f "-" #g #h "-" #i #j "-" #k #l #m #n #o #p

/* EFI System Partition (UEFI spec, "System Partition"). */
#define GPT_ESP_BYTES           C1,2A,73,28,F8,1F,11,D2,BA,4B,00,A0,C9,3E,C9,3B
/* mkvmimage's own type for a partition holding the 64 MiB EDK2 variable flash
 * (no standard type exists; see docs/layout-format.md). */
#define GPT_VARSTORE_BYTES      27,33,F7,8F,FA,97,4F,45,8C,C4,56,97,3B,F4,64,DB
/* Linux generic data. */
#define GPT_LINUX_DATA_BYTES    0F,C6,3D,AF,84,83,47,72,8E,79,3D,69,D8,47,7D,E4

#define GPT_ESP_TYPE_STR        GUID_STR(GPT_ESP_BYTES)
#define GPT_VARSTORE_TYPE_STR   GUID_STR(GPT_VARSTORE_BYTES)
#define GPT_LINUX_DATA_TYPE_STR GUID_STR(GPT_LINUX_DATA_BYTES)

extern const guid_t gpt_esp_type;
extern const guid_t gpt_varstore_type;
extern const guid_t gpt_linux_data_type;
