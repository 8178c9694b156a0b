//! 条数 — how many text messages a text takes, as the operators count (and bill) them. A
//! text of only GSM-7 characters (the basic Latin set, a few accented letters and Greek
//! capitals) goes 7 bits a character: 160 in one message, 153 a part once it needs more
//! (the rest of each part carries the header that joins them); `^{}\[~]|€` take two. A text
//! with anything else — any Chinese character — goes as UCS-2, counted in UTF-16 units: 70
//! in one message, 67 a part.
//!
//! The gateway puts the signature (【恒信售后】) before the text, and the operator counts
//! it too: count the signature and the text together.

/// How a text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn key(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }

    /// Units (septets or UTF-16 units) one message holds alone.
    pub fn single(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units each part of a longer text holds.
    pub fn per_part(self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

/// What a text takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    /// Messages; 0 for an empty text.
    pub count: usize,
}

/// GSM 03.38's basic character set, but the escape.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Its extension table: each takes the escape and itself.
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The messages `text` takes.
pub fn segments(text: &str) -> Segments {
    let septets = text
        .chars()
        .try_fold(0usize, |n, c| gsm_septets(c).map(|s| n + s));
    let (encoding, units) = match septets {
        Some(n) => (Encoding::Gsm7, n),
        None => (Encoding::Ucs2, text.encode_utf16().count()),
    };
    let count = match units {
        0 => 0,
        u if u <= encoding.single() => 1,
        u => u.div_ceil(encoding.per_part()),
    };
    Segments {
        encoding,
        units,
        count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> usize {
        segments(text).count
    }

    #[test]
    fn latin_text_goes_as_gsm7_160_then_153_a_part() {
        assert_eq!(count(""), 0);
        let s = segments("Hello, your order ships today.");
        assert_eq!(s.encoding, Encoding::Gsm7);
        assert_eq!(s.units, 30);
        assert_eq!(s.count, 1);
        assert_eq!(count(&"a".repeat(160)), 1);
        assert_eq!(count(&"a".repeat(161)), 2);
        assert_eq!(count(&"a".repeat(306)), 2);
        assert_eq!(count(&"a".repeat(307)), 3);
        assert_eq!(count(&"a".repeat(459)), 3);
        assert_eq!(count(&"a".repeat(460)), 4);
    }

    #[test]
    fn the_extension_characters_take_two() {
        let s = segments("{ok}");
        assert_eq!(s.encoding, Encoding::Gsm7);
        assert_eq!(s.units, 6);
        assert_eq!(segments("€5").units, 3);
        assert_eq!(count(&"[".repeat(80)), 1);
        assert_eq!(count(&"[".repeat(81)), 2);
        assert_eq!(
            segments("Ünïcode").encoding,
            Encoding::Ucs2,
            "ï is not GSM-7"
        );
    }

    #[test]
    fn chinese_goes_as_ucs2_70_then_67_a_part() {
        let s = segments("您好");
        assert_eq!(s.encoding, Encoding::Ucs2);
        assert_eq!(s.units, 2);
        assert_eq!(s.count, 1);
        assert_eq!(count(&"好".repeat(70)), 1);
        assert_eq!(count(&"好".repeat(71)), 2);
        assert_eq!(count(&"好".repeat(134)), 2);
        assert_eq!(count(&"好".repeat(135)), 3);
        // One Chinese character turns the whole text to UCS-2.
        let mixed = format!("{}好", "a".repeat(69));
        assert_eq!(segments(&mixed).encoding, Encoding::Ucs2);
        assert_eq!(count(&mixed), 1);
        assert_eq!(count(&format!("{}好", "a".repeat(70))), 2);
        // A signature and a short answer.
        let s = segments("【恒信售后】您好，师傅明天上午上门检修。");
        assert_eq!(s.units, 20);
        assert_eq!(s.count, 1);
    }

    #[test]
    fn characters_outside_the_basic_plane_count_two_utf16_units() {
        let s = segments("好😀");
        assert_eq!(s.encoding, Encoding::Ucs2);
        assert_eq!(s.units, 3);
        assert_eq!(count(&"😀".repeat(35)), 1);
        assert_eq!(count(&"😀".repeat(36)), 2);
    }
}
