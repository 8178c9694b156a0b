//! The import of product and part lists over the API: all or nothing, every refused cell
//! named.

use super::*;

/// A cell refused.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportProblem {
    /// The spreadsheet row (the header is row 1 unless titles precede it).
    pub row: usize,
    /// The column's key: `sku`, `name`, `model`, `category`, `price`, `warranty_months`,
    /// `serial_tracked`, `active`; for parts `part_number`, `cost`, `unit`, `used_in`.
    pub column: String,
    /// `bad_code`, `missing`, `too_long`, `bad_money`, `too_much`, `bad_warranty`,
    /// `bad_yes_no`, `unknown_sku`, `bad_use` or `repeated`.
    pub problem: String,
    /// The cell as read (at most 50 characters).
    pub value: String,
}

/// What an import did, or would do.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportOut {
    /// Only on a 422: `catalogue_import_problems`, the error every refused call carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    /// Data rows read (blank ones not counted).
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Categories a product list added.
    pub categories_added: usize,
    /// Whether anything was written: false for a dry run and for a file with problems.
    pub written: bool,
    /// Every refused cell, by row (the first 1000).
    pub problems: Vec<CatalogueImportProblem>,
    /// How many cells were refused in all.
    pub problem_count: usize,
}

fn import_out(r: CatalogueImport, error: Option<ErrorDetail>) -> CatalogueImportOut {
    let problem_count = r.problems.len();
    CatalogueImportOut {
        error,
        rows: r.rows,
        added: r.added,
        updated: r.updated,
        unchanged: r.unchanged,
        categories_added: r.categories_added,
        written: r.written,
        problems: r
            .problems
            .into_iter()
            .take(kefu_app::aftersales::import::MAX_PROBLEMS)
            .map(|(row, e)| CatalogueImportProblem {
                row,
                column: e.column.to_owned(),
                problem: e.problem.key().to_owned(),
                value: e.value,
            })
            .collect(),
        problem_count,
    }
}

/// The code of an import refused for its cells.
const IMPORT_PROBLEMS: &str = "catalogue_import_problems";

/// Which import.
#[derive(Clone, Copy)]
enum ImportKind {
    Products,
    Parts,
}

/// Reads the form (one file part, an optional `dry_run`) and imports: 200 with what was
/// done, or 422 with the same body and an `error` when any cell was refused (nothing
/// written then).
async fn import(
    state: &AppState,
    identity: &Identity,
    multipart: Multipart,
    kind: ImportKind,
) -> Result<Response, WebError> {
    let (pairs, mut files) = crate::upload::read(multipart).await?;
    let mut dry_run = false;
    for (name, value) in &pairs {
        if name == "dry_run" {
            dry_run = match value.trim() {
                "true" | "1" => true,
                "" | "false" | "0" => false,
                other => {
                    return Err(unknown_value("dry_run", other, ["true", "1", "false", "0"]));
                }
            };
        }
    }
    if files.len() > 1 {
        return Err(kefu_app::AppError::TooMany { max: 1 }.into());
    }
    let Some(file) = files.pop() else {
        return Err(kefu_app::AppError::NothingSelected.into());
    };
    let actor = identity.actor();
    let done = match kind {
        ImportKind::Products => {
            state
                .app
                .import_products(&actor, &file.filename, &file.bytes, dry_run)
                .await?
        }
        ImportKind::Parts => {
            state
                .app
                .import_parts(&actor, &file.filename, &file.bytes, dry_run)
                .await?
        }
    };
    if done.problems.is_empty() {
        return Ok(Json(import_out(done, None)).into_response());
    }
    let count = done.problems.len();
    let info = ErrorInfo {
        args: vec![("count", count.to_string())],
        detail: Some(format!("{count} cells refused; nothing was written")),
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, IMPORT_PROBLEMS)
    };
    let error = ErrorDetail {
        code: info.code.to_owned(),
        message: info.message(identity.tr()),
        detail: info.detail.clone(),
    };
    let mut res = (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(import_out(done, Some(error))),
    )
        .into_response();
    // The body is written here, problems and all: the error renderer leaves it.
    res.extensions_mut().insert(KeepBody);
    Ok(res)
}

/// 导入产品 — imports a product list (CSV in UTF-8 or GBK, or XLSX) matched by SKU: new
/// products added, changed ones saved, categories named added. All or nothing.
#[utoipa::path(post, path = "/api/v1/catalogue/products/import", tag = "catalogue",
    request_body(content_type = "multipart/form-data", description = "one file part (`.csv` \
        or `.xlsx`; columns `sku`/产品编码, `name`/名称, `category`/类别, `price`/价格 in yuan, \
        and optionally `model`, `warranty_months`, `serial_tracked`, `active`), and an \
        optional text part `dry_run` = `true` or `1` to only check"),
    responses(
        (status = 200, description = "Imported, or checked without problems (`written` false \
            for a dry run)", body = CatalogueImportOut),
        (status = 422, description = "`catalogue_import_problems`: cells refused, nothing \
            written; the body is a `CatalogueImportOut` with `error` set and `problems` naming \
            each cell by row and column. Also: no file part (`nothing_selected`), more than \
            one (`too_many`), `catalogue_column_missing`, `catalogue_column_twice`, `import_empty`, \
            `import_encoding`, `import_too_many_rows` and the other `import_*` refusals of \
            a file that does not read, `unknown_value` for `dry_run`", body = ErrorBody),
    ))]
pub async fn import_catalogue_products(
    State(state): State<AppState>,
    identity: Identity,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(&state, &identity, multipart, ImportKind::Products).await
}

/// 导入配件 — imports a part list (CSV in UTF-8 or GBK, or XLSX) matched by part number;
/// where a part is used names products by SKU, which must be in the catalogue. All or
/// nothing.
#[utoipa::path(post, path = "/api/v1/catalogue/parts/import", tag = "catalogue",
    request_body(content_type = "multipart/form-data", description = "one file part (`.csv` \
        or `.xlsx`; columns `part_number`/料号, `name`/名称, `cost`/成本 in yuan, and \
        optionally `unit`, `used_in`/适用产品, `active`), and an optional text part `dry_run` \
        = `true` or `1` to only check"),
    responses(
        (status = 200, description = "Imported, or checked without problems (`written` false \
            for a dry run)", body = CatalogueImportOut),
        (status = 422, description = "`catalogue_import_problems`: cells refused, nothing \
            written; the body is a `CatalogueImportOut` with `error` set and `problems` naming \
            each cell by row and column. Also: no file part (`nothing_selected`), more than \
            one (`too_many`), `catalogue_column_missing`, `catalogue_column_twice`, `import_empty`, \
            `import_encoding`, `import_too_many_rows` and the other `import_*` refusals of \
            a file that does not read, `unknown_value` for `dry_run`", body = ErrorBody),
    ))]
pub async fn import_catalogue_parts(
    State(state): State<AppState>,
    identity: Identity,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(&state, &identity, multipart, ImportKind::Parts).await
}
