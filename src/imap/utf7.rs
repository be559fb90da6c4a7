//! Folder names in modified UTF-7 (RFC 3501 §5.1.3): encoding for the server, and a
//! lenient decoding that never fails: a name that is not valid modified UTF-7 (a server
//! that does not encode names sends `R&D-Team` as it is) is shown exactly as sent.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Modified base64: `,` for `/`, never padded; sloppy trailing bits are forgiven.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Encodes a folder name for the server: printable ASCII stands for itself (`&` as `&-`),
/// every other run of characters becomes `&<modified base64 of UTF-16BE>-`.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut run);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut run);
    out
}

fn flush(out: &mut String, run: &mut Vec<u16>) {
    if run.is_empty() {
        return;
    }
    let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&B64.encode(bytes));
    out.push('-');
    run.clear();
}

/// Decodes a folder name; a name that is not valid modified UTF-7 comes back unchanged.
pub fn decode(name: &str) -> String {
    strict(name).unwrap_or_else(|| name.to_string())
}

/// The decoded name, or None when any `&...-` section is not valid.
fn strict(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find('-')?;
        let encoded = &after[..end];
        if encoded.is_empty() {
            out.push('&');
        } else {
            let bytes = B64.decode(encoded).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units = bytes.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]]));
            for c in char::decode_utf16(units) {
                out.push(c.ok()?);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn valid_names_decode() {
        assert_eq!(decode("Entw&APw-rfe"), "Entwürfe");
        assert_eq!(decode("&ZeVnLIqe-"), "日本語");
        assert_eq!(decode("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"), "Отправленные");
        assert_eq!(decode("A&-B"), "A&B");
        assert_eq!(decode("INBOX"), "INBOX");
    }

    #[test]
    fn invalid_names_are_shown_as_sent() {
        for raw in ["R&D-Team", "R&D", "A&B", "&", "&-&", "&2D0-", "&AP-", "x&\u{e9}-y", "&Jjo!-"] {
            assert_eq!(decode(raw), raw, "{raw}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        for name in ["R&D-Team", "Entwürfe", "日本語/Sub", "😀 fun", "a\u{7f}b", "&", ""] {
            let wire = encode(name);
            assert!(wire.bytes().all(|b| (0x20..0x7f).contains(&b)), "{wire}");
            assert_eq!(decode(&wire), name, "{wire}");
        }
        assert_eq!(encode("R&D"), "R&-D");
        assert_eq!(encode("Отправленные"), "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-");
        assert_eq!(encode("Šiukšliadėžė"), "&AWA-iuk&AWE-liad&ARcBfgEX-");
    }
}
