//! Closed lists of values with a stable code and a Chinese and an English label (a case's
//! kind, channel, state …): what is stored is the code, what a page shows is the label.

/// A closed list of values with a stable code and a Chinese and an English label: what a page
/// needs to show one or offer all.
pub trait Coded: Copy + std::str::FromStr + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self, english: bool) -> &'static str;
}

/// Define a [`Coded`] enum:
/// `Name, "field", "what", "What" { Variant = "code", "中文", "English"; … }`.
/// Parsing an unknown code is a field error naming `field` and the codes it accepts; the enum
/// converts from a stored `String` (`TryFrom`), so a row's column reads as the typed value.
#[macro_export]
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $what:literal, $what_en:literal { $($(#[$vm:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }

            /// The label as a message value (Chinese and English).
            pub fn arg(self) -> $crate::text::Arg {
                $crate::text::Arg::Label(self.label_zh(), self.label_en())
            }
        }

        impl $crate::code::Coded for $name {
            const ALL: &'static [$name] = &[$($name::$variant,)*];

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn label(self, english: bool) -> &'static str {
                if english { self.label_en() } else { self.label_zh() }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::FieldError;
            fn from_str(s: &str) -> Result<Self, $crate::FieldError> {
                match s {
                    $($code => Ok($name::$variant),)*
                    _ => {
                        let known: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                        Err($crate::FieldError::new($field, "unknown", $crate::text!(
                            "code.unknown",
                            what = $crate::text::Arg::Label($what, $what_en),
                            value = format!("{s:?}"),
                            known = known.join("、"),
                        )))
                    }
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::FieldError;
            fn try_from(s: String) -> Result<Self, $crate::FieldError> {
                s.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
