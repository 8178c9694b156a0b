//! Zip bombs and files over the row limit, refused before anything is imported; the bomb
//! is built by hand so the test stays fast.

use super::*;

/// Zeros in the zip bomb: one, then 812,800 runs of 258 — 209,702,401 bytes, 200 MiB.
const BOMB_RUNS: u32 = 812_800;
const BOMB_UNPACKED: u32 = 1 + 258 * BOMB_RUNS;
/// CRC-32 of those zeros, so that the bomb is a valid archive an unzip tool unpacks in full
/// (`python3 -c 'import zlib; print(hex(zlib.crc32(bytes(209_702_401))))'`).
const BOMB_CRC32: u32 = 0x9988_0e94;

/// The bits of a deflate stream, each byte filled from its least significant bit.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    byte: u8,
    used: u8,
}

impl Bits {
    fn bit(&mut self, bit: u32) {
        self.byte |= ((bit & 1) as u8) << self.used;
        self.used += 1;
        if self.used == 8 {
            self.bytes.push(self.byte);
            self.byte = 0;
            self.used = 0;
        }
    }

    /// A number of `n` bits, least significant first (header fields, extra bits).
    fn number(&mut self, value: u32, n: u32) {
        for i in 0..n {
            self.bit(value >> i);
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit(code >> i);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.bytes.push(self.byte);
        }
        self.bytes
    }
}

/// A raw deflate stream of `1 + 258 × runs` zeros, written by hand because deflating 200 MiB
/// in a debug build is slow; it is what a deflater makes of zeros anyway. One block with its
/// own Huffman codes: the literal 0 and the end of block take two bits, the length 258 one,
/// the only distance (1) one; so after the first zero, every 258 zeros cost two bits.
fn deflated_zeros(runs: u32) -> Vec<u8> {
    let mut w = Bits::default();
    w.number(1, 1); // the last block
    w.number(2, 2); // with its own codes
    w.number(286 - 257, 5); // code lengths for the literals and lengths 0..=285
    w.number(0, 5); // and for one distance
    w.number(18 - 4, 4); // 18 code-length code lengths follow, in deflate's order
    // The code-length code: 18 (a run of unused symbols) is "0", 1 is "10", 2 is "11".
    for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        let length = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        w.number(length, 3);
    }
    w.code(0b11, 2); // literal 0: two bits
    w.code(0, 1);
    w.number(138 - 11, 7); // literals 1..=138: unused
    w.code(0, 1);
    w.number(117 - 11, 7); // literals 139..=255: unused
    w.code(0b11, 2); // end of block (256): two bits
    w.code(0, 1);
    w.number(28 - 11, 7); // lengths 257..=284: unused
    w.code(0b10, 2); // length 258 (285): one bit
    w.code(0b10, 2); // distance 1 (code 0): one bit
    // The codes that follow: length 258 is "0", literal 0 "10", end of block "11";
    // distance 1 is "0".
    w.code(0b10, 2); // a zero
    for _ in 0..runs {
        w.code(0, 1); // 258 bytes
        w.code(0, 1); // copied from one byte back
    }
    w.code(0b11, 2); // end of block
    w.finish()
}

fn le16(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn le32(out: &mut Vec<u8>, values: &[u32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// A ZIP archive of one deflated file, laid out by hand since the zip writer only stores
/// what it has deflated itself: local header, data, central directory, end record (version
/// 2.0, no flags, dated 1980-01-01).
fn one_file_zip(name: &str, deflated: &[u8], size: u32, crc: u32) -> Vec<u8> {
    let name_len = u16::try_from(name.len()).unwrap();
    let packed = u32::try_from(deflated.len()).unwrap();
    let mut z = Vec::new();
    le32(&mut z, &[0x0403_4b50]);
    le16(&mut z, &[20, 0, 8, 0, 0x21]); // version, flags, deflate, time, date
    le32(&mut z, &[crc, packed, size]);
    le16(&mut z, &[name_len, 0]); // name and extra field lengths
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(deflated);
    let directory = u32::try_from(z.len()).unwrap();
    le32(&mut z, &[0x0201_4b50]);
    le16(&mut z, &[20, 20, 0, 8, 0, 0x21]); // made by, version, flags, deflate, time, date
    le32(&mut z, &[crc, packed, size]);
    le16(&mut z, &[name_len, 0, 0, 0, 0]); // name, extra, comment lengths; disk; attributes
    le32(&mut z, &[0, 0]); // external attributes; the local header's offset
    z.extend_from_slice(name.as_bytes());
    let directory_len = u32::try_from(z.len()).unwrap() - directory;
    le32(&mut z, &[0x0605_4b50]);
    le16(&mut z, &[0, 0, 1, 1]); // this disk, the directory's disk, files here, files in all
    le32(&mut z, &[directory_len, directory]);
    le16(&mut z, &[0]); // comment length
    z
}

/// `xlsx` with a zip bomb added: xl/media/zeros.bin, 200 MiB of zeros packed into 200 KB.
fn with_zip_bomb(xlsx: &[u8]) -> Vec<u8> {
    let bomb = one_file_zip(
        "xl/media/zeros.bin",
        &deflated_zeros(BOMB_RUNS),
        BOMB_UNPACKED,
        BOMB_CRC32,
    );
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for part in [xlsx.to_vec(), bomb] {
        w.merge_archive(zip::ZipArchive::new(Cursor::new(part)).unwrap())
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn zip_bombs_and_too_many_rows_are_refused_before_anything_is_imported() {
    let app = TestApp::spawn().await;
    app.create_user("xu.info", &[Role::InfoSpecialist]).await;
    let s = app.login("xu.info", TEST_PASSWORD).await;

    // A workbook with one good customer, and 200 MiB of zeros packed into 200 KB beside it.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["客户名称", "手机"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "深圳华强电子").unwrap();
    sheet.write_string(1, 1, "13922223333").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let bomb = with_zip_bomb(&xlsx);
    assert!(bomb.len() < 300 * 1024, "{} bytes", bomb.len());
    // A real bomb: what comes out is zeros (the first MiB of its 200 read here).
    let mut archive = zip::ZipArchive::new(Cursor::new(bomb.as_slice())).unwrap();
    let mut head = Vec::new();
    archive
        .by_name("xl/media/zeros.bin")
        .unwrap()
        .take(1 << 20)
        .read_to_end(&mut head)
        .unwrap();
    assert!(head.len() == 1 << 20 && head.iter().all(|b| *b == 0));

    // Refused from the sizes the archive declares, in a dry run and for real.
    for dry_run in [true, false] {
        let res = upload(&s, "客户.xlsx", bomb.clone(), dry_run, false).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("解压后为 200 MB，超过单个部分 64 MB 的上限"),
            "{html}"
        );
        assert!(html.contains("zeros.bin"), "the page names the part");
    }
    assert_eq!(customer_count(&app).await, 0, "nothing imported");
    // The same workbook without the bomb imports: the bomb alone was refused.
    let html = upload(&s, "客户.xlsx", xlsx, false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 1, "{html}");

    // One data row over the limit: refused with both numbers, nothing written.
    let mut csv = String::from("客户名称\n");
    for n in 0..=MAX_IMPORT_ROWS {
        csv.push_str(&format!("批量客户{n}\n"));
    }
    let res = upload(&s, "客户.csv", csv.into_bytes(), false, false).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("文件有 50001 行数据，超过单次导入 50000 行的上限"),
        "{html}"
    );
    assert_eq!(customer_count(&app).await, 1);
    app.stop().await;
}
