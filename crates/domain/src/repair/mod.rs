//! Repairs (维修): the steps a repair case records and the rules that turn a repair into an
//! exchange or a return.

use crate::code_enum;

mod step;
pub use step::{
    Dispatch, Remedy, RepairFacts, RepairReport, check_order, dispatch_summary, parse_dispatch,
    parse_slot,
};

code_enum! {
    /// The steps of a repair, each an event on the case's timeline (the policy's clocks
    /// start and stop at them).
    RepairStep, "step", "维修步骤", "repair step" {
        /// A technician and an appointment: stops the `dispatch` clock (seed 三.3).
        TechnicianDispatched = "technician_dispatched", "已派工", "Technician dispatched";
        Arrived = "arrived", "已到达现场", "Arrived on site";
        /// The repair report: cause, process, result (seed 4.1.4).
        RepairCompleted = "repair_completed", "维修完成", "Repair completed";
        Unrepairable = "unrepairable", "无法修复", "Cannot be repaired";
    }
}

/// After how many repairs of the same fault a unit that still fails may be exchanged or
/// returned, under 三包 (部分商品修理更换退货责任规定: 因同一性能故障修理两次仍不能正常使用).
pub const SANBAO_REPEAT_REPAIRS: u32 = 2;

/// Does a unit that fails again, after `same_fault_repairs` completed repairs of that fault
/// inside its warranty, now get the choice of an exchange or a return?
pub fn repeated_failure(same_fault_repairs: u32, limit: u32) -> bool {
    limit > 0 && same_fault_repairs >= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_failure_of_the_same_fault_offers_an_exchange() {
        assert!(!repeated_failure(0, SANBAO_REPEAT_REPAIRS));
        assert!(!repeated_failure(1, SANBAO_REPEAT_REPAIRS));
        assert!(repeated_failure(2, SANBAO_REPEAT_REPAIRS));
        assert!(!repeated_failure(5, 0));
    }
}
