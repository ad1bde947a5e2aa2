//! Which sales a policy covers, and the policy a sale runs under (DESIGN "Policies").
//!
//! Several policies are in force side by side — national 三包 for listed goods, 七日无理由 for
//! distance sales, the company's own rules for the rest. Each policy in force but the default
//! says what it covers (`[applies]`: product categories, sales channels, customer kinds); a
//! sale runs under the first one in force that covers it, and under the default otherwise.

use serde::{Deserialize, Serialize};

use super::Policy;
use crate::code::Coded as _;
use crate::code_enum;
use crate::customer::CustomerKind;

code_enum! {
    /// How a unit was sold: what decides whether the distance-sales law covers it.
    SaleChannel, "channel", "销售渠道", "sales channel" {
        Store = "store", "门店", "In store";
        Online = "online", "网络", "Online";
        Phone = "phone", "电话、电视", "Phone or TV";
        Mail = "mail", "邮购", "Mail order";
        Direct = "direct", "直销", "Direct sale";
    }
}

impl SaleChannel {
    /// Sold at a distance: by network, television, telephone or mail (消费者权益保护法 第二十五条).
    pub fn is_distance(self) -> bool {
        matches!(
            self,
            SaleChannel::Online | SaleChannel::Phone | SaleChannel::Mail
        )
    }
}

/// What a policy covers. An empty list does not restrict; a policy that restricts nothing can
/// only be the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applies {
    /// Product categories, as the catalogue writes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<SaleChannel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<CustomerKind>,
}

/// What a sale is, for choosing its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaleFacts<'a> {
    pub category: &'a str,
    pub channel: SaleChannel,
    pub customer: CustomerKind,
}

impl Applies {
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.channels.is_empty() && self.customers.is_empty()
    }

    /// Every list that restricts holds the sale's value; a category is covered when the
    /// product's category names it ("家用电冰箱" is covered by "电冰箱").
    pub fn matches(&self, f: &SaleFacts<'_>) -> bool {
        let category = f.category.trim();
        let named = |c: &String| !c.trim().is_empty() && category.contains(c.trim());
        (self.categories.is_empty() || self.categories.iter().any(named))
            && (self.channels.is_empty() || self.channels.contains(&f.channel))
            && (self.customers.is_empty() || self.customers.contains(&f.customer))
    }

    /// What it covers in plain words: "网络、邮购销售；个人客户" (empty when it restricts nothing).
    pub fn describe_in(&self, english: bool) -> String {
        let join = |v: Vec<&str>| v.join(if english { ", " } else { "、" });
        let mut parts = Vec::new();
        if !self.categories.is_empty() {
            let c = join(self.categories.iter().map(String::as_str).collect());
            parts.push(if english {
                format!("products in {c}")
            } else {
                format!("{c}类商品")
            });
        }
        if !self.channels.is_empty() {
            let c = join(self.channels.iter().map(|c| c.label(english)).collect());
            parts.push(if english {
                format!("sold {c}")
            } else {
                format!("{c}销售")
            });
        }
        if !self.customers.is_empty() {
            let c = join(self.customers.iter().map(|c| c.label(english)).collect());
            parts.push(if english {
                format!("{c} customers")
            } else {
                format!("{c}客户")
            });
        }
        parts.join(if english { "; " } else { "；" })
    }
}

/// The policy a sale runs under: the first of `in_force` (in their order) whose `[applies]`
/// restricts something and covers the sale, else `default`.
pub fn choose<'a, T>(in_force: &'a [T], default: &'a T, facts: &SaleFacts<'_>) -> &'a T
where
    T: AsRef<Policy>,
{
    in_force
        .iter()
        .find(|p| {
            let a = &p.as_ref().applies;
            !a.is_empty() && a.matches(facts)
        })
        .unwrap_or(default)
}

impl AsRef<Policy> for Policy {
    fn as_ref(&self) -> &Policy {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PRESETS;

    fn preset(name: &str) -> Policy {
        Policy::parse(PRESETS.iter().find(|p| p.0 == name).unwrap().1).unwrap()
    }

    fn sale(category: &str, channel: SaleChannel, customer: CustomerKind) -> SaleFacts<'_> {
        SaleFacts {
            category,
            channel,
            customer,
        }
    }

    #[test]
    fn the_first_policy_in_force_that_covers_the_sale_wins_and_the_default_takes_the_rest() {
        let in_force = [preset("cn-online-7day"), preset("cn-sanbao")];
        let seed = preset("seed");
        let person = CustomerKind::Individual;
        let org = CustomerKind::Organisation;
        let pick = |f: SaleFacts<'_>| choose(&in_force, &seed, &f).name.clone();
        // A phone bought online by a person: the distance-sales law comes first.
        assert_eq!(
            pick(sale("移动电话机", SaleChannel::Online, person)),
            "cn-online-7day"
        );
        // The same phone bought in a shop: 三包 for listed goods.
        assert_eq!(
            pick(sale("移动电话机", SaleChannel::Store, person)),
            "cn-sanbao"
        );
        assert_eq!(
            pick(sale("家用电冰箱", SaleChannel::Store, person)),
            "cn-sanbao"
        );
        // A hospital buying online is no consumer: the company's own rules.
        assert_eq!(pick(sale("监护仪", SaleChannel::Online, org)), "seed");
        assert_eq!(pick(sale("监护仪", SaleChannel::Store, person)), "seed");
    }

    #[test]
    fn a_policy_that_restricts_nothing_never_shadows_the_default() {
        let in_force = [preset("cn-medical-device")];
        let seed = preset("seed");
        let f = sale("监护仪", SaleChannel::Store, CustomerKind::Organisation);
        assert_eq!(choose(&in_force, &seed, &f).name, "seed");
    }

    #[test]
    fn coverage_reads_as_plain_words() {
        let a = preset("cn-online-7day").applies;
        assert_eq!(a.describe_in(false), "网络、电话、电视、邮购销售；个人客户");
        assert_eq!(
            a.describe_in(true),
            "sold Online, Phone or TV, Mail order; Individual customers"
        );
        assert_eq!(Applies::default().describe_in(false), "");
    }
}
