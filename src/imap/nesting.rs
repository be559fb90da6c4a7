//! Follows how deep parentheses nest in what an IMAP server sends, outside quoted strings
//! and literals, so a response nested past a limit can be refused before imap-proto's
//! recursive parser sees it: each level costs that parser about 36 KiB of stack in a debug
//! build (8 KiB in release), and a tokio worker has 2 MiB.

/// Far deeper than any real BODYSTRUCTURE (a message forwarded ten times inside
/// multiparts is about 25 deep), and well within a debug build's stack.
pub const MAX_DEPTH: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    Quoted,
    /// After a backslash in a quoted string.
    Escaped,
    /// Inside `{123}`: the size so far, and whether a digit was seen.
    Size(u64, bool),
    /// After `{123}`, before the line end that starts the literal.
    SizeEnd(u64),
    /// Bytes of a literal still to skip.
    Literal(u64),
}

/// The bytes that change the state outside strings and literals.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 5 {
        t[b"()\"{\n"[i] as usize] = true;
        i += 1;
    }
    t
};

/// The scanner's position in the server's byte stream.
#[derive(Debug, Clone)]
pub struct Nesting {
    depth: usize,
    state: State,
    limit: usize,
}

impl Default for Nesting {
    fn default() -> Self {
        Nesting { depth: 0, state: State::Normal, limit: MAX_DEPTH }
    }
}

impl Nesting {
    /// Follows `bytes`, the next the server sent; Err(limit) once parentheses nest deeper.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), usize> {
        let mut i = 0;
        while i < bytes.len() {
            if let State::Literal(left) = self.state {
                let skip = left.min((bytes.len() - i) as u64);
                i += skip as usize;
                self.state = if left == skip { State::Normal } else { State::Literal(left - skip) };
                continue;
            }
            // runs of ordinary bytes are skipped at once: most of a response is text
            match self.state {
                State::Normal => match bytes[i..].iter().position(|&b| SPECIAL[usize::from(b)]) {
                    Some(at) => i += at,
                    None => break,
                },
                State::Quoted => match memchr::memchr3(b'\\', b'"', b'\n', &bytes[i..]) {
                    Some(at) => i += at,
                    None => break,
                },
                _ => {}
            }
            let b = bytes[i];
            i += 1;
            self.state = match (self.state, b) {
                (State::Normal, _) => self.normal(b)?,
                (State::Quoted, b'\\') => State::Escaped,
                (State::Quoted, b'"') => State::Normal,
                (State::Quoted, b'\n') => {
                    self.depth = 0;
                    State::Normal
                }
                (State::Quoted, _) => State::Quoted,
                (State::Escaped, _) => State::Quoted,
                (State::Size(n, _), b'0'..=b'9') => {
                    State::Size(n.saturating_mul(10).saturating_add(u64::from(b - b'0')), true)
                }
                (State::Size(n, _), b'+') => State::Size(n, true),
                (State::Size(n, true), b'}') => State::SizeEnd(n),
                (State::SizeEnd(n), b'\r') => State::SizeEnd(n),
                (State::SizeEnd(0), b'\n') => State::Normal,
                (State::SizeEnd(n), b'\n') => State::Literal(n),
                // not a literal after all: the byte is ordinary text
                (State::Size(..) | State::SizeEnd(_), _) => self.normal(b)?,
                (State::Literal(_), _) => unreachable!("literals are skipped above"),
            };
        }
        Ok(())
    }

    fn normal(&mut self, b: u8) -> Result<State, usize> {
        match b {
            b'(' => {
                self.depth += 1;
                if self.depth > self.limit {
                    return Err(self.limit);
                }
            }
            b')' => self.depth = self.depth.saturating_sub(1),
            b'"' => return Ok(State::Quoted),
            b'{' => return Ok(State::Size(0, false)),
            b'\n' => self.depth = 0,
            _ => {}
        }
        Ok(State::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, Nesting};

    fn deep(n: usize) -> String {
        format!("* 1 FETCH (BODYSTRUCTURE {}\"TEXT\"{})\r\n", "(".repeat(n), ")".repeat(n))
    }

    #[test]
    fn nesting_up_to_the_limit_passes_and_past_it_fails() {
        assert_eq!(Nesting::default().feed(deep(MAX_DEPTH - 1).as_bytes()), Ok(()));
        assert_eq!(Nesting::default().feed(deep(MAX_DEPTH).as_bytes()), Err(MAX_DEPTH));
        // fed a byte at a time, as a slow server sends it
        let mut n = Nesting::default();
        let fed: Result<Vec<()>, usize> = deep(3000).bytes().map(|b| n.feed(&[b])).collect();
        assert_eq!(fed, Err(MAX_DEPTH));
    }

    #[test]
    fn any_split_of_the_stream_ends_in_the_same_state() {
        let text = b"* 1 FETCH (ENVELOPE (\"a (b\" \"q\\\"(\" NIL) BODY[] {5}\r\n((((( UID 4 (\r\n* 2 (";
        let mut whole = Nesting::default();
        whole.feed(text).unwrap();
        for at in 0..text.len() {
            let mut n = Nesting::default();
            n.feed(&text[..at]).unwrap();
            n.feed(&text[at..]).unwrap();
            assert_eq!((n.depth, n.state), (whole.depth, whole.state), "split at {at}");
        }
        assert_eq!(whole.depth, 1);
    }

    #[test]
    fn parentheses_in_strings_and_literals_do_not_count() {
        let parens = "(".repeat(1000);
        let text = format!(
            "* 1 FETCH (ENVELOPE (\"{parens}\" \"a\\\"{parens}\") BODY[] {{{}}}\r\n{parens} UID 4)\r\n",
            parens.len()
        );
        let mut n = Nesting::default();
        assert_eq!(n.feed(text.as_bytes()), Ok(()));
        // and each response line starts again at depth 0
        for _ in 0..100 {
            assert_eq!(n.feed(b"* 2 FETCH (FLAGS (\\Seen)\r\n"), Ok(()));
        }
        assert_eq!(n.feed(b"* OK {not a literal} ((\r\n"), Ok(()));
    }
}
