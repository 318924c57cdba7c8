//! Budgets built into the binary, used with `extends:`. Their source is in
//! `budgets/presets/`, so users can read exactly what a preset enforces.

#[derive(Debug)]
pub(crate) struct Preset {
    pub name: &'static str,
    pub text: &'static str,
}

const PRESETS: &[Preset] =
    &[Preset { name: "core-web-vitals", text: include_str!("../../budgets/presets/core-web-vitals.yml") }];

pub(crate) fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|preset| preset.name == name)
}

pub(crate) fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|preset| preset.name).collect()
}
