/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * FAT names, apart from the file system that holds them: which names FAT
 * can store, their UTF-16 long form, the 8.3 short forms (exact, or
 * generated BASIS~N) and the checksum that ties long-name slots to their
 * short entry. Pure functions, for the filler (fat.c) and its unit tests.
 */

#include <stdbool.h>
#include <stdint.h>

#define FAT_LFN_MAX_UNITS 255   /* UTF-16 units in a long name */

/*
 * Checks that FAT can hold `name` (one path component, UTF-8) and converts
 * it to the UTF-16 of its long-name entries. Returns the number of units, or
 * -EINVAL / -ENAMETOOLONG with *why saying what is wrong, e.g. "FAT names
 * cannot end in a dot or a space".
 */
int fat_name_to_utf16(const char *name, uint16_t units[static FAT_LFN_MAX_UNITS], const char **why);

/* If `name` is an exact 8.3 name ("NAME.EXT": upper case, allowed
 * characters, 1-8 + 0-3), its short entry form padded to 11 bytes plus a
 * NUL ("BOOTAA64EFI") in `out`, and true; else false. */
bool fat_name_to_strict_short(const char *name, char out[static 12]);

/* The generated short name of long name `name` with numeric tail `tail`
 * (1-999999), as Windows and Linux make them: "Long file.txt", 1 gives
 * "LONGFI~1TXT" (11 bytes and a NUL in `out`). */
void fat_short_name_candidate(const char *name, unsigned tail, char out[static 12]);

/* The checksum of an 11-byte short name stored in each of its long-name slots. */
uint8_t fat_short_name_checksum(const char name[static 11]);

/*
 * Why mkfs.fat -n (dosfstools 4.2) would refuse `label`, or NULL if it takes
 * it: at most 11 bytes, ASCII only (other characters depend on the DOS code
 * page), no control characters, none of *?.,;:/\|+=<>[]" and no leading
 * space. Lower case is taken (mkfs.fat only warns).
 */
const char *fat_label_problem(const char *label);
