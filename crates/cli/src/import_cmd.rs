//! `sanbao import products|units FILE`: the page's import for files too large to upload,
//! with the same checks (nothing written unless every row is right) and the errors by row.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use sanbao_app::{Actor, AppError};

use crate::config::Config;
use crate::serve;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// The product catalogue (CSV, UTF-8 or GB18030; headers 型号, 产品名称, 保修期（月）…).
    Products { file: PathBuf },
    /// Sold units (CSV; headers 序列号, 型号, 客户, 电话, 销售日期 …), under the policy in force.
    Units { file: PathBuf },
}

pub async fn run(cfg: &Config, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let (file, units) = match &command {
        ImportCommand::Products { file } => (file, false),
        ImportCommand::Units { file } => (file, true),
    };
    let bytes = std::fs::read(file)?;
    let app = serve::open(cfg).await?;
    let started = std::time::Instant::now();
    let actor = Actor::system();
    let result = if units {
        app.products().import_units(&actor, &bytes).await
    } else {
        app.products().import_products(&actor, &bytes).await
    };
    app.store.close().await;
    match result {
        Ok(done) => {
            println!(
                "已导入 {} 行（新建客户 {} 个）/ imported {} rows ({} new customers) in {:.1} s",
                done.rows,
                done.customers_created,
                done.rows,
                done.customers_created,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Invalid(errs)) => {
            eprintln!("未导入任何一行 / nothing imported:");
            for e in &errs.0 {
                eprintln!("{}: {}", e.field, e.message);
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
