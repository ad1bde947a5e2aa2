//! The statutory minimums a company policy cannot go below for the goods it covers.
//!
//! A consumer keeps the rights the law gives whatever the company's own rules say; a policy
//! whose `[applies]` names goods a law covers must keep that law's windows at least as long
//! (and its refund at least as quick). Sources:
//! - 《中华人民共和国消费者权益保护法》第二十五条 (2013): goods bought by network, television,
//!   telephone or mail may be returned without reason within seven days of receipt; the price
//!   is returned within seven days of receiving the goods back.
//! - 《部分商品修理更换退货责任规定》(国家经济贸易委员会等, 1995) 第八条、第九条 and its
//!   catalogue, with the 2001 rules for mobile and fixed telephones and microcomputers
//!   (《移动电话机商品修理更换退货责任规定》《固定电话机商品修理更换退货责任规定》
//!   《微型计算机商品修理更换退货责任规定》): a performance fault within 7 days gives return,
//!   exchange or repair; within 15 days exchange or repair.

use super::applies::Applies;
use super::{ClockRule, Policy};
use crate::customer::CustomerKind;
use crate::deadline::Unit;
use crate::text;
use crate::text::Text;

/// Goods in the 三包 catalogues (the product category names them, or contains the name).
pub const SANBAO_GOODS: &[&str] = &[
    "自行车",
    "彩色电视机",
    "黑白电视机",
    "电视机",
    "家用录像机",
    "摄像机",
    "收录机",
    "电子琴",
    "电冰箱",
    "冰箱",
    "洗衣机",
    "电风扇",
    "微波炉",
    "吸尘器",
    "空调器",
    "空调",
    "吸排油烟机",
    "油烟机",
    "燃气热水器",
    "缝纫机",
    "钟表",
    "摩托车",
    "移动电话机",
    "手机",
    "固定电话机",
    "微型计算机",
    "电脑",
];

/// One law's floor: whom and what it covers, and the clocks it bounds.
struct Statute {
    law: &'static str,
    law_en: &'static str,
    covers: fn(&Applies) -> bool,
    /// `(clock, days)`: the clock must last at least this many days.
    at_least: &'static [(&'static str, u32)],
    /// `(clock, days)`: the clock, if the policy has it, must end within this many days.
    at_most: &'static [(&'static str, u32)],
}

impl Statute {
    /// Why `clock` breaks this law's floor (`below`) or ceiling, naming the law.
    fn refusal(&self, below: bool, clock: &'static str, days: u32) -> (String, Text) {
        let label = text::Arg::Label(
            super::clock_label_in(clock, false),
            super::clock_label_in(clock, true),
        );
        let law = text::Arg::Label(self.law, self.law_en);
        let message = if below {
            text!(
                "policy.below_statute",
                clock = label,
                days = days,
                law = law
            )
        } else {
            text!(
                "policy.above_statute",
                clock = label,
                days = days,
                law = law
            )
        };
        (clock.to_owned(), message)
    }
}

/// Consumers: a policy for organisations only is outside both laws.
fn covers_consumers(a: &Applies) -> bool {
    a.customers.is_empty() || a.customers.contains(&CustomerKind::Individual)
}

const STATUTES: &[Statute] = &[
    Statute {
        law: "《消费者权益保护法》第二十五条",
        law_en: "Consumer Rights Protection Law, Art. 25",
        covers: |a| covers_consumers(a) && a.channels.iter().any(|c| c.is_distance()),
        at_least: &[("request_window", 7)],
        at_most: &[("refund", 7)],
    },
    Statute {
        law: "《部分商品修理更换退货责任规定》第八条、第九条",
        law_en: "Provisions on Repair, Replacement and Return of Some Goods, Arts. 8–9",
        covers: |a| {
            covers_consumers(a)
                && a.categories
                    .iter()
                    .any(|c| SANBAO_GOODS.iter().any(|g| c.contains(g)))
        },
        at_least: &[("request_window", 7), ("exchange_window", 15)],
        at_most: &[],
    },
];

/// The shortest a clock can run, in days: a day or working-day count is at least as many
/// calendar days; hours are taken whole days down.
fn floor_days(c: &ClockRule) -> u32 {
    match c.unit {
        Unit::Days | Unit::WorkingDays => c.n,
        Unit::Hours | Unit::BusinessHours => c.n / 24,
    }
}

/// The longest a clock can run, in days: working days and service hours can stretch over
/// weekends and holidays, so only wall-clock units can be bounded.
fn ceiling_days(c: &ClockRule) -> Option<u32> {
    match c.unit {
        Unit::Days => Some(c.n),
        Unit::Hours => Some(c.n.div_ceil(24)),
        Unit::WorkingDays | Unit::BusinessHours => None,
    }
}

/// Where `p` gives less than a law it covers: the clock, and why with the law named.
pub fn below_minimum(p: &Policy) -> Option<(String, Text)> {
    for s in STATUTES.iter().filter(|s| (s.covers)(&p.applies)) {
        for &(clock, days) in s.at_least {
            let short = p
                .clocks
                .iter()
                .find(|c| c.clock == clock && floor_days(c) < days);
            let missing = !p.clocks.iter().any(|c| c.clock == clock);
            if missing || short.is_some() {
                return Some(s.refusal(true, clock, days));
            }
        }
        for &(clock, days) in s.at_most {
            let slow = p
                .clocks
                .iter()
                .find(|c| c.clock == clock && ceiling_days(c).is_none_or(|longest| longest > days));
            if slow.is_some() {
                return Some(s.refusal(false, clock, days));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PRESETS;

    fn preset(name: &str) -> &'static str {
        PRESETS.iter().find(|p| p.0 == name).unwrap().1
    }

    #[test]
    fn the_presets_keep_the_law() {
        for (name, text) in PRESETS {
            let p = Policy::parse(text).unwrap();
            assert_eq!(below_minimum(&p), None, "{name}");
        }
    }

    #[test]
    fn a_company_policy_for_online_sales_shorter_than_seven_days_is_refused_naming_the_law() {
        let text = format!(
            "{}\n[applies]\nchannels = [\"online\"]\n",
            preset("seed").replace("name = \"seed\"", "name = \"shop-online\"")
        );
        let e = Policy::parse(&text).unwrap_err();
        assert_eq!(e.field, "applies");
        let msg = e.text().render(crate::text::Lang::ZhCn);
        assert!(msg.contains("《消费者权益保护法》第二十五条"), "{msg}");
        assert!(msg.contains("申请期限"), "{msg}");
        assert!(msg.contains('7'), "{msg}");
    }

    #[test]
    fn the_same_policy_for_organisations_only_is_outside_the_consumer_laws() {
        let text = format!(
            "{}\n[applies]\nchannels = [\"online\"]\ncustomers = [\"organisation\"]\n",
            preset("seed").replace("name = \"seed\"", "name = \"b2b\"")
        );
        assert!(Policy::parse(&text).is_ok());
    }

    #[test]
    fn listed_goods_need_seven_and_fifteen_days() {
        let text = format!(
            "{}\n[applies]\ncategories = [\"家用电冰箱\"]\n",
            preset("seed").replace("name = \"seed\"", "name = \"fridges\"")
        );
        let e = Policy::parse(&text).unwrap_err();
        assert!(
            e.text()
                .render(crate::text::Lang::ZhCn)
                .contains("《部分商品修理更换退货责任规定》")
        );
    }

    #[test]
    fn a_refund_slower_than_seven_days_is_refused_for_distance_sales() {
        let text = preset("cn-online-7day")
            .replace("name = \"cn-online-7day\"", "name = \"slow\"")
            .replace(
                "unit = \"days\"\nn = 7\nstops_on",
                "unit = \"working_days\"\nn = 7\nstops_on",
            );
        let e = Policy::parse(&text).unwrap_err();
        assert!(
            e.text().render(crate::text::Lang::ZhCn).contains("退款"),
            "{}",
            e.text().render(crate::text::Lang::ZhCn)
        );
    }
}
