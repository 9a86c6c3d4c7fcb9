# Helpers for the ext4 tests: a tree with every kind of entry, and a
# manifest of a tree (from the input, with stat/getfattr) or of a file
# system (from the image, with debugfs only), compared line by line.
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }

: "${EXT4FILL:?EXT4FILL not set (run through ctest)}"
for tool in debugfs e2fsck mke2fs getfattr setfattr tar xz sha256sum xxd setpriv; do
        command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin:/sbin"
        command -v "$tool" >/dev/null || die "$tool missing: run scripts/setup-deps"
done
[ "$(id -u)" -eq 0 ] || die "these tests create devices and foreign owners: run them as root"

WORK=$(mktemp -d /tmp/mkvm-ext4.XXXXXX)
chmod 755 "$WORK"
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

UUID=0d3c4a6e-7f1b-4c2d-9e8f-0123456789ab
SEED=5b0c9a1e-2d3f-4a5b-8c7d-fedcba987654

# make_tree DIR: files, empty, sparse, zeros, dirs (deep, big, setgid,
# sticky), symlinks (relative, absolute, dangling, long), hard links,
# devices, FIFO, odd owners, xattrs, long and odd names.
make_tree() {
        local t=$1 i d
        mkdir -p "$t/etc" "$t/usr/bin" "$t/var/tmp" "$t/data" "$t/links"
        printf 'hello world\n' > "$t/etc/hostname"
        : > "$t/etc/empty"
        head -c 3000000 /dev/urandom > "$t/data/random"
        head -c 1048576 /dev/zero > "$t/data/zeros"
        truncate -s 64M "$t/data/sparse"
        printf 'one' | dd of="$t/data/sparse" bs=1 seek=1048577 conv=notrunc status=none
        head -c 20000 /dev/urandom | dd of="$t/data/sparse" bs=4096 seek=10000 conv=notrunc status=none
        printf 'tail' > "$t/data/tail-not-aligned"
        printf '#!/bin/sh\necho su\n' > "$t/usr/bin/su"
        chmod 4755 "$t/usr/bin/su"
        printf 'x' > "$t/usr/bin/wall"
        chmod 2711 "$t/usr/bin/wall"
        chown 0:5 "$t/usr/bin/wall"
        chmod 1777 "$t/var/tmp"
        mkdir "$t/var/mail"
        chmod 2775 "$t/var/mail"
        chown 1234:5678 "$t/var/mail"
        printf 'mine' > "$t/var/mail/user"
        chown 1234:5678 "$t/var/mail/user"
        printf 'big ids' > "$t/data/bigids"
        chown 100000:200000 "$t/data/bigids"
        ln -s hostname "$t/etc/rel-link"
        ln -s /etc/hostname "$t/etc/abs-link"
        ln -s ../nowhere/at/all "$t/etc/dangling"
        ln -s / "$t/etc/root-link"
        ln -s "/$(printf 'long%.0s' $(seq 1 60))/target" "$t/etc/slow-link"
        ln "$t/etc/hostname" "$t/links/hard1"
        ln "$t/etc/hostname" "$t/links/hard2"
        mknod "$t/data/null" c 1 3
        mknod "$t/data/sda1" b 8 1
        mknod "$t/data/bigdev" c 300 70000
        mkfifo "$t/data/fifo"
        d="$t/deep"
        for i in $(seq 1 40); do d="$d/d$i"; done
        mkdir -p "$d"
        printf 'deep' > "$d/file"
        mkdir "$t/many"
        for i in $(seq 1 600); do printf '%s' "$i" > "$t/many/file-with-a-longish-name-$i"; done
        printf 'long' > "$t/data/$(printf 'n%.0s' $(seq 1 255))"
        printf 'space' > "$t/data/with space"
        setfattr -n user.comment -v "hello" "$t/etc/hostname"
        setfattr -n user.binary -v 0x00ff10ee "$t/etc/hostname"
        setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 "$t/usr/bin/wall"
        setfattr -n user.big -v "$(printf 'v%.0s' $(seq 1 300))" "$t/data/random"
        setfattr -n user.dir -v "on a dir" "$t/var/mail"
        setfattr -h -n trusted.link -v "on a symlink" "$t/etc/abs-link"
        touch -h -d @1600000000.123456789 "$t/etc/rel-link"
        touch -d @1500000000 "$t/etc/empty"
        touch -d @1700000000 "$t/etc" "$t"
}

file_type() {
        case "$1" in
        "regular file"|"regular empty file") echo reg ;;
        directory) echo dir ;;
        "symbolic link") echo lnk ;;
        "character special file") echo chr ;;
        "block special file") echo blk ;;
        fifo) echo fifo ;;
        socket) echo sock ;;
        *) echo "?$1" ;;
        esac
}

# One line per entry: path type mode uid gid mtime content link xattrs.
# content: sha256 (reg), target (lnk), major:minor (chr, blk), - else.
# link: the first path (sorted) of the same inode for hard links, else -.
manifest_dir() {
        local root=$1 p rel st type mode uid gid mtime ino nlink content link xattrs
        declare -A first=()
        while IFS= read -r -d '' p; do
                rel=${p#"$root"/}
                st=$(stat -c '%F|%f|%u|%g|%Y|%i|%h|%t|%T' "$p")
                IFS='|' read -r type mode uid gid mtime ino nlink major minor <<<"$st"
                type=$(file_type "$type")
                mode=$(printf '%04o' $(( 0x$mode & 07777 )))
                case $type in
                reg) content=$(sha256sum < "$p" | cut -d' ' -f1) ;;
                lnk) content=$(readlink "$p") ;;
                chr|blk) content=$(( 0x$major )):$(( 0x$minor )) ;;
                *) content=- ;;
                esac
                link=-
                if [ "$type" != dir ] && [ "$nlink" -gt 1 ]; then
                        [ -n "${first[$ino]:-}" ] || first[$ino]=$rel
                        link=${first[$ino]}
                fi
                xattrs=$({ getfattr -h -d -m - -e hex --absolute-names "$p" 2>/dev/null || true; } |
                         { grep -v -e '^#' -e '^$' || true; } | LC_ALL=C sort | tr '\n' ';')
                printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$rel" "$type" "$mode" "$uid" "$gid" \
                        "$mtime" "$content" "$link" "$xattrs"
        done < <(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | sed -z 's|^\./||' |
                 while IFS= read -r -d '' x; do printf '%s/%s\0' "$root" "$x"; done)
}

# The same manifest, read from the file system at OFFSET of IMAGE with
# debugfs alone (ls -p to walk, stat, ea_list/ea_get, rdump for data).
manifest_img() {
        local img=$1 off=$2 spec out dirs next path line
        spec="$img?offset=$off"
        out=$(mktemp -d "$WORK/rdump.XXXXXX")
        debugfs -R "rdump / $out" "$spec" >/dev/null 2>&1 || die "debugfs rdump failed"

        # Walk: every entry as "path|ino|mode(octal, with type)|uid|gid".
        : > "$WORK/entries"
        dirs=("")
        while [ ${#dirs[@]} -gt 0 ]; do
                : > "$WORK/cmds"
                for path in "${dirs[@]}"; do printf 'ls -p "/%s"\n' "$path" >> "$WORK/cmds"; done
                next=()
                debugfs -f "$WORK/cmds" "$spec" 2>/dev/null > "$WORK/ls.out"
                local cur=""
                while IFS= read -r line; do
                        if [[ $line == "debugfs: ls -p "* ]]; then
                                cur=${line#debugfs: ls -p \"/}; cur=${cur%\"}
                                continue
                        fi
                        [[ $line == /* ]] || continue
                        IFS=/ read -r _ ino mode uid gid name _ <<<"$line"
                        [ "$name" = . ] || [ "$name" = .. ] && continue
                        [ -z "$cur" ] && [ "$name" = lost+found ] && continue
                        path=${cur:+$cur/}$name
                        echo "$path|$ino|$mode|$uid|$gid" >> "$WORK/entries"
                        [ "${mode:0:2}" = 04 ] && next+=("$path")
                done < "$WORK/ls.out"
                dirs=("${next[@]}")
        done

        # stat and ea_list of every entry, in one debugfs run each.
        : > "$WORK/cmds"
        while IFS='|' read -r path _; do
                printf 'stat "/%s"\nea_list "/%s"\n' "$path" "$path" >> "$WORK/cmds"
        done < "$WORK/entries"
        debugfs -f "$WORK/cmds" "$spec" 2>/dev/null > "$WORK/stat.out"

        declare -A mtime=() dev=() eanames=() links=()
        local cur="" in_ea=0
        while IFS= read -r line; do
                case $line in
                "debugfs: stat "*) cur=${line#debugfs: stat \"/}; cur=${cur%\"}; in_ea=0 ;;
                "debugfs: ea_list "*) cur=${line#debugfs: ea_list \"/}; cur=${cur%\"}; in_ea=1 ;;
                "Links: "*) links[$cur]=$(echo "$line" | awk '{print $2}') ;;
                " mtime: "*) mtime[$cur]=$(( $(echo "$line" | sed 's/^ mtime: \(0x[0-9a-f]*\).*/\1/') )) ;;
                "Device major/minor number: "*|"(New-style) Device major/minor number: "*)
                        dev[$cur]=$(echo "$line" | sed 's/.*(hex \([0-9a-f]*\):\([0-9a-f]*\)).*/\1 \2/') ;;
                "  "*" ("[0-9]*")"|"  "*" ("[0-9]*") = "*)
                        [ $in_ea = 1 ] || continue
                        local n=${line#  }; n=${n%% (*}
                        eanames[$cur]="${eanames[$cur]:-} $n" ;;
                esac
        done < "$WORK/stat.out"

        # Raw xattr values, hex encoded like getfattr -e hex.
        : > "$WORK/cmds"
        local i=0 n
        declare -A eafile=()
        while IFS='|' read -r path _; do
                for n in ${eanames[$path]:-}; do
                        i=$((i + 1))
                        eafile["$path|$n"]=$WORK/ea.$i
                        printf 'ea_get -f %s "/%s" %s\n' "$WORK/ea.$i" "$path" "$n" >> "$WORK/cmds"
                done
        done < "$WORK/entries"
        [ $i -eq 0 ] || debugfs -f "$WORK/cmds" "$spec" >/dev/null 2>&1

        declare -A first=()
        local ino mode uid gid type content link xattrs perm
        while IFS='|' read -r path ino mode uid gid; do
                perm=$(printf '%04o' $(( 8#$mode & 07777 )))
                case ${mode:0:-4} in
                10) type=reg ;; 04) type=dir ;; 12) type=lnk ;; 02) type=chr ;;
                06) type=blk ;; 01) type=fifo ;; 14) type=sock ;; *) type="?$mode" ;;
                esac
                case $type in
                reg) content=$(sha256sum < "$out/$path" | cut -d' ' -f1) ;;
                lnk) content=$(readlink "$out/$path") ;;
                chr|blk) set -- ${dev[$path]}; content=$(( 0x$1 )):$(( 0x$2 )) ;;
                *) content=- ;;
                esac
                link=-
                if [ "$type" != dir ] && [ "${links[$path]}" -gt 1 ]; then
                        [ -n "${first[$ino]:-}" ] || first[$ino]=$path
                        link=${first[$ino]}
                fi
                xattrs=""
                for n in ${eanames[$path]:-}; do
                        xattrs+="$n=0x$(xxd -p "${eafile[$path|$n]}" | tr -d '\n')"$'\n'
                done
                xattrs=$(printf '%s' "$xattrs" | LC_ALL=C sort | tr '\n' ';')
                printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$path" "$type" "$perm" "$uid" "$gid" \
                        "${mtime[$path]}" "$content" "$link" "$xattrs"
        done < <(LC_ALL=C sort -t'|' -k1,1 "$WORK/entries")
}

# compare_manifests EXPECTED ACTUAL [what]
compare_manifests() {
        if ! diff -u "$1" "$2" > "$WORK/diff"; then
                head -60 "$WORK/diff" >&2
                die "${3:-image} differs from the input"
        fi
}

# fsck_clean IMAGE OFFSET
fsck_clean() {
        e2fsck -fn "$1?offset=$2" > "$WORK/fsck.log" 2>&1 || { cat "$WORK/fsck.log" >&2; die "e2fsck -fn found errors in $1"; }
}

# expect_failure PATTERN command...: non-zero exit and PATTERN in stderr.
expect_failure() {
        local pattern=$1; shift
        if "$@" > "$WORK/out.log" 2> "$WORK/err.log"; then
                cat "$WORK/err.log" >&2
                die "expected failure: $*"
        fi
        grep -qF -- "$pattern" "$WORK/err.log" || { cat "$WORK/err.log" >&2; die "message lacks '$pattern': $*"; }
}
