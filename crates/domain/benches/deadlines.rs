//! Calendar and deadline throughput (figures in BENCHMARKS.md).
//!
//!     cargo bench -p sanbao-domain --bench deadlines

use std::hint::black_box;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sanbao_domain::calendar::{Calendar, Override, law, parse_notice};
use sanbao_domain::deadline::{ClockEvent, Context, Unit, due, project};
use sanbao_domain::hours::Preset;

/// A small deterministic generator (no dependency for a benchmark's inputs).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn dates(n: usize) -> Vec<(NaiveDate, u32)> {
    let base = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    let mut r = Lcg(7);
    (0..n)
        .map(|_| {
            (
                base + Days::new(r.next() % 8000),
                (r.next() % 30 + 1) as u32,
            )
        })
        .collect()
}

fn instants(n: usize) -> Vec<DateTime<Utc>> {
    let base: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().unwrap();
    let mut r = Lcg(11);
    (0..n)
        .map(|_| base + chrono::Duration::minutes((r.next() % (3 * 365 * 24 * 60)) as i64))
        .collect()
}

fn calendar(c: &mut Criterion) {
    let cal = Calendar::cn_statutory();
    let inputs = dates(4096);
    let mut g = c.benchmark_group("calendar");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("add_workdays", |b| {
        b.iter(|| {
            for (d, n) in &inputs {
                black_box(cal.add_workdays(black_box(*d), black_box(*n)));
            }
        })
    });
    g.bench_function("count_workdays", |b| {
        b.iter(|| {
            for (d, n) in &inputs {
                black_box(cal.count_workdays(black_box(*d), *d + Days::new(u64::from(*n) * 2)));
            }
        })
    });
    g.finish();
}

fn business_hours(c: &mut Criterion) {
    let cal = Calendar::cn_statutory();
    let hours = Preset::WeekdaysNineToFive.hours();
    let ctx = Context {
        calendar: &cal,
        hours: &hours,
        tz: chrono_tz::Asia::Shanghai,
    };
    let starts = instants(4096);
    let mut g = c.benchmark_group("deadline");
    g.throughput(Throughput::Elements(starts.len() as u64));
    g.bench_function("business_hours_8h", |b| {
        b.iter(|| {
            for t in &starts {
                black_box(due(&ctx, Unit::BusinessHours, 8, black_box(*t)));
            }
        })
    });
    g.bench_function("working_days_10", |b| {
        b.iter(|| {
            for t in &starts {
                black_box(due(&ctx, Unit::WorkingDays, 10, black_box(*t)));
            }
        })
    });
    g.finish();
}

/// 100,000 open complaint cases (three clocks each, a third of them paused once), recomputed
/// after a company holiday is added: the new calendar is built, then every clock projected.
fn recompute(c: &mut Criterion) {
    let hours = Preset::WeekdaysNineToFive.hours();
    let starts = instants(100_000);
    let now: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
    let cases: Vec<Vec<ClockEvent>> = starts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut ev = vec![ClockEvent::Start(*t)];
            if i % 3 == 0 {
                ev.push(ClockEvent::Pause(*t + chrono::Duration::hours(30)));
                ev.push(ClockEvent::Resume(*t + chrono::Duration::hours(80)));
            }
            ev
        })
        .collect();
    let schedules = Calendar::shipped_schedules();
    let mut g = c.benchmark_group("recompute");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("100k_cases_after_calendar_change", |b| {
        b.iter_batched(
            || {
                vec![Override {
                    date: NaiveDate::from_ymd_opt(2026, 10, 9).unwrap(),
                    working: false,
                    note: "公司年会".into(),
                }]
            },
            |overrides| {
                let cal = Calendar::new(&schedules, &overrides);
                let ctx = Context {
                    calendar: &cal,
                    hours: &hours,
                    tz: chrono_tz::Asia::Shanghai,
                };
                for ev in &cases {
                    black_box(project(&ctx, Unit::Hours, 24, ev, now));
                    black_box(project(&ctx, Unit::WorkingDays, 3, ev, now));
                    black_box(project(&ctx, Unit::WorkingDays, 10, ev, now));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// A year from the law alone (lunar tables, the 清明 rule, weekend holidays given back), the
/// whole calendar built (2004–2100, the provisional years cached after the first build), and
/// a pasted notice read.
fn provisional(c: &mut Criterion) {
    let mut g = c.benchmark_group("provisional");
    g.bench_function("derive_year_2030", |b| {
        b.iter(|| black_box(law::provisional_schedule(black_box(2030))))
    });
    g.bench_function("derive_years_2027_2100", |b| {
        b.iter(|| {
            for y in 2027..=2100 {
                black_box(law::provisional_schedule(black_box(y)));
            }
        })
    });
    let schedules = Calendar::shipped_schedules();
    g.bench_function("calendar_new", |b| {
        b.iter(|| black_box(Calendar::new(black_box(&schedules), &[])))
    });
    let notice = include_str!("../data/cn-notices/2026.txt");
    g.bench_function("parse_notice_2026", |b| {
        b.iter(|| black_box(parse_notice(black_box(notice), None)))
    });
    g.finish();
}

criterion_group!(benches, calendar, business_hours, recompute, provisional);
criterion_main!(benches);
