# Same image + SOURCE_DATE_EPOCH = the same archive bytes, whatever the
# format, the time of day or the directory the output is written in; a
# different epoch changes the entries' times (so the check can fail).
. "$TESTS_DIR/bundle/lib.sh"
img=$WORK/app.img
make_image aa64 "$img"
mkdir -p "$WORK/a" "$WORK/b"
for format in tar tar.gz tar.xz tar.zst; do
        bundle --arch aa64 "$img" -o "$WORK/a/app.$format"
        sleep 1
        (cd "$WORK/b" && bundle --arch aa64 "$img" -o "app.$format")
        cmp "$WORK/a/app.$format" "$WORK/b/app.$format" || fail "two $format bundles of the same image differ"
        pass "app.$format: byte-identical across runs"
done

SOURCE_DATE_EPOCH=1600000000 "$MKVMIMAGE" bundle -q --arch aa64 "$img" -o "$WORK/c.tar" || fail "bundle with another epoch failed"
cmp -s "$WORK/a/app.tar" "$WORK/c.tar" && fail "a different SOURCE_DATE_EPOCH gave the same bytes"
tar --list -v --full-time -f "$WORK/c.tar" | grep >/dev/null "2020-09-13 12:26:40 app/disk.img" ||
        fail "entries do not carry SOURCE_DATE_EPOCH=1600000000: $(tar --list -v --full-time -f "$WORK/c.tar")"
pass "another SOURCE_DATE_EPOCH changes the entry times only where expected"

# --name and a directory bundle: files carry the epoch too.
bundle --arch aa64 "$img" --name "My.Appliance_1" -o "$WORK/d/"
[ "$(stat -c %Y "$WORK/d/disk.img")" = "$EPOCH" ] || fail "directory bundle file times are not SOURCE_DATE_EPOCH"
grep -q "<name>My.Appliance_1</name>" "$WORK/d/libvirt.xml" || fail "--name did not reach libvirt.xml"
virt-xml-validate "$WORK/d/libvirt.xml" domain || fail "libvirt.xml with --name does not validate"
pass "--name, directory bundle times"

# --install-dir: libvirt.xml and firmware.json name the files there (XML-escaped).
bundle --arch arm "$img" --install-dir "/srv/vm's & more/x" -o "$WORK/e.tar"
tar -C "$WORK" -xf "$WORK/e.tar"
virt-xml-validate "$WORK/app/libvirt.xml" domain || fail "libvirt.xml with an odd --install-dir does not validate"
jq -e '.mapping.executable.filename == "/srv/vm'"'"'s & more/x/efi-code.fd"' "$WORK/app/firmware.json" >/dev/null ||
        fail "firmware.json does not name the install dir: $(cat "$WORK/app/firmware.json")"
pass "--install-dir in libvirt.xml (validates) and firmware.json"
