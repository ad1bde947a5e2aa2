//! A line diff (longest common subsequence), for showing what changed between two versions of
//! a policy. Policies are a few hundred lines: the quadratic table is small.

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The lines of `old` and `new` as kept, removed and added, in order.
///
/// ```
/// use sanbao_domain::diff::{lines, Line};
/// let d = lines("a\nb\nc", "a\nx\nc");
/// assert_eq!(d, [Line::Same("a"), Line::Removed("b"), Line::Added("x"), Line::Same("c")]);
/// ```
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Line::Removed(l)));
    out.extend(b[j..].iter().map(|l| Line::Added(l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_empty() {
        assert_eq!(lines("a\nb", "a\nb"), [Line::Same("a"), Line::Same("b")]);
        assert_eq!(lines("", "x"), [Line::Added("x")]);
        assert_eq!(lines("x", ""), [Line::Removed("x")]);
    }

    #[test]
    fn rebuilds_both_sides() {
        let (old, new) = ("a\nb\nc\nd", "b\nc\nx\nd\ne");
        let d = lines(old, new);
        let back_old: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                Line::Same(s) | Line::Removed(s) => Some(*s),
                _ => None,
            })
            .collect();
        let back_new: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                Line::Same(s) | Line::Added(s) => Some(*s),
                _ => None,
            })
            .collect();
        assert_eq!(back_old.join("\n"), old);
        assert_eq!(back_new.join("\n"), new);
    }
}
