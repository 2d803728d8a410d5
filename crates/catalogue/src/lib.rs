//! Every word shaq-bridge shows people — the customer's WhatsApp variables and invoice, and
//! (in time) the console — lives in the Fluent catalogues under `locales/{en,fr,ar}/`, never in
//! Rust code or templates. Fluent (Mozilla's `fluent-bundle`) gives each language its own
//! grammar: Arabic's six plural forms, French's gender, placeables in any order.
//!
//! A message missing from a language falls back to English, then to its id, so a gap shows as
//! a word in the wrong language rather than as nothing; the tests keep the three catalogues
//! complete.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the catalogues speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Arabic (right to left).
    Ar,
    /// French.
    Fr,
    /// English.
    En,
}

impl Locale {
    /// Every locale, English first (the fallback).
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Fr, Locale::Ar];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Ar => "ar",
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// Whether it reads right to left.
    pub fn is_rtl(self) -> bool {
        self == Locale::Ar
    }

    /// The locale of a tag (`fr-MA`, `ar`, `en_GB`), if it is one of the catalogues'.
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        match tag.split(['-', '_']).next().unwrap_or(&tag) {
            "ar" => Some(Locale::Ar),
            "fr" => Some(Locale::Fr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Locale::En => 0,
            Locale::Fr => 1,
            Locale::Ar => 2,
        }
    }
}

/// A value for a message's placeable.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    /// Text, shown as it is.
    Text(Cow<'a, str>),
    /// A count: selects the plural form (`one`, `two`, `few`, `many`…).
    Count(u64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Arg::Text(Cow::Owned(text))
    }
}

impl From<u64> for Arg<'_> {
    fn from(count: u64) -> Self {
        Arg::Count(count)
    }
}

/// The catalogue files, per locale.
const SOURCES: [(Locale, &[&str]); 3] = [
    (
        Locale::En,
        &[
            include_str!("../locales/en/customer.ftl"),
            include_str!("../locales/en/console.ftl"),
            include_str!("../locales/en/handover.ftl"),
            include_str!("../locales/en/journey.ftl"),
        ],
    ),
    (
        Locale::Fr,
        &[
            include_str!("../locales/fr/customer.ftl"),
            include_str!("../locales/fr/console.ftl"),
            include_str!("../locales/fr/handover.ftl"),
            include_str!("../locales/fr/journey.ftl"),
        ],
    ),
    (
        Locale::Ar,
        &[
            include_str!("../locales/ar/customer.ftl"),
            include_str!("../locales/ar/console.ftl"),
            include_str!("../locales/ar/handover.ftl"),
            include_str!("../locales/ar/journey.ftl"),
        ],
    ),
];

struct Catalogues {
    bundles: Vec<FluentBundle<FluentResource>>,
}

fn bundle(locale: Locale, sources: &[&str]) -> FluentBundle<FluentResource> {
    // The tags are the three above: they parse.
    #[allow(clippy::expect_used)]
    let language = locale.tag().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Placeables are not wrapped in Unicode isolation marks: the texts go into WhatsApp
    // variables and PDFs, whose own bidirectional handling places them (HTML gets `<bdi>`).
    bundle.set_use_isolating(false);
    for source in sources {
        // A syntax error in a catalogue is caught by the tests; the parts that parse are kept.
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| Catalogues {
    bundles: SOURCES
        .iter()
        .map(|(locale, sources)| bundle(*locale, sources))
        .collect(),
});

/// The message `id` in `locale`.
pub fn text(locale: Locale, id: &str) -> String {
    text_with(locale, id, &[])
}

/// The message `id` in `locale`, its placeables filled from `args`.
pub fn text_with(locale: Locale, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(text.to_string()),
            Arg::Count(count) => FluentValue::from(*count),
        };
        fluent_args.set(*name, value);
    }
    for candidate in [locale, Locale::En] {
        let bundle = &CATALOGUES.bundles[candidate.index()];
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent_args), &mut errors)
                .into_owned();
        }
    }
    id.to_owned()
}

/// Whether `id` is a message of the catalogues.
pub fn has(id: &str) -> bool {
    CATALOGUES.bundles[Locale::En.index()].has_message(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use std::collections::{BTreeMap, BTreeSet};

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("a catalogue does not parse: {errors:?}"));
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_three_catalogues_parse_and_have_the_same_messages() {
        let per_locale: Vec<(Locale, BTreeSet<String>)> = SOURCES
            .iter()
            .map(|(locale, sources)| {
                (
                    *locale,
                    sources.iter().flat_map(|source| ids(source)).collect(),
                )
            })
            .collect();
        // No message is defined twice in one language (across its files the first would win).
        for (locale, sources) in SOURCES {
            let mut seen = BTreeSet::new();
            for source in sources {
                for id in ids(source) {
                    assert!(seen.insert(id.clone()), "{}: `{id}` twice", locale.tag());
                }
            }
        }
        let english = &per_locale[0].1;
        assert!(!english.is_empty());
        for (locale, ids) in &per_locale[1..] {
            let missing: Vec<_> = english.difference(ids).collect();
            let extra: Vec<_> = ids.difference(english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                locale.tag()
            );
        }
    }

    /// Each message's variables (`$name`), wherever they stand: in the text, a selector or a
    /// variant.
    fn variables(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

        fn in_inline(expression: &InlineExpression<&str>, found: &mut BTreeSet<String>) {
            match expression {
                InlineExpression::VariableReference { id } => {
                    found.insert(id.name.to_owned());
                }
                InlineExpression::Placeable { expression } => in_expression(expression, found),
                InlineExpression::FunctionReference { arguments, .. } => {
                    for argument in &arguments.positional {
                        in_inline(argument, found);
                    }
                }
                _ => {}
            }
        }
        fn in_expression(expression: &Expression<&str>, found: &mut BTreeSet<String>) {
            match expression {
                Expression::Inline(inline) => in_inline(inline, found),
                Expression::Select { selector, variants } => {
                    in_inline(selector, found);
                    for variant in variants {
                        in_pattern(&variant.value, found);
                    }
                }
            }
        }
        fn in_pattern(pattern: &Pattern<&str>, found: &mut BTreeSet<String>) {
            for element in &pattern.elements {
                if let PatternElement::Placeable { expression } = element {
                    in_expression(expression, found);
                }
            }
        }

        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("a catalogue does not parse: {errors:?}"));
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                Entry::Message(message) => {
                    let mut found = BTreeSet::new();
                    if let Some(pattern) = &message.value {
                        in_pattern(pattern, &mut found);
                    }
                    Some((message.id.name.to_owned(), found))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_translation_uses_the_values_its_english_message_is_given() {
        let per_locale: Vec<(Locale, BTreeMap<String, BTreeSet<String>>)> = SOURCES
            .iter()
            .map(|(locale, sources)| {
                (
                    *locale,
                    sources
                        .iter()
                        .flat_map(|source| variables(source))
                        .collect(),
                )
            })
            .collect();
        let english = &per_locale[0].1;
        for (locale, messages) in &per_locale[1..] {
            for (id, english_variables) in english {
                if let Some(variables) = messages.get(id) {
                    assert_eq!(
                        variables,
                        english_variables,
                        "{}: `{id}` uses other values than the English",
                        locale.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn placeables_and_plurals_are_filled() {
        assert_eq!(
            text_with(
                Locale::En,
                "delivery-window",
                &[("from", "20 Apr".into()), ("to", "22 Apr".into())]
            ),
            "Expected between 20 Apr and 22 Apr"
        );
        assert_eq!(
            text_with(Locale::En, "invoice-items", &[("count", 1u64.into())]),
            "1 item"
        );
        assert_eq!(
            text_with(Locale::En, "invoice-items", &[("count", 3u64.into())]),
            "3 items"
        );
        // Arabic's dual.
        assert_eq!(
            text_with(Locale::Ar, "invoice-items", &[("count", 2u64.into())]),
            "قطعتان"
        );
        assert_eq!(text(Locale::Fr, "no-such-message"), "no-such-message");
    }
}
