/** provlog library entry point. */
export { UserError } from './errors.js';
export type { GeneratedApp, GeneratedTenant, GenerateOptions, GroundTruth } from './generate/index.js';
export { generateTenant } from './generate/index.js';
export { analyze, type Diagnostic, formatDiagnostic, type TableColumns } from './kql/analyzer.js';
export { checkQuery, QueryError, type RunOptions, runQuery } from './kql/engine.js';
export { KqlError, NotSupportedError } from './kql/errors.js';
export type { QueryOutput, TableSource } from './kql/exec.js';
export { cellJson, responseJson } from './kql/result.js';
export { Table as KqlTable } from './kql/table.js';
export { WorkspaceTableSource, workspaceSchemas } from './kql/workspace-source.js';
export { billedSize } from './model/billing.js';
export type { AuditLogRow, DynamicValue, ProvisioningLogRow, TableRow } from './model/rows.js';
export type { ColumnSchema, ColumnType, TableName, TableSchema } from './model/schema.js';
export { AAD_PROVISIONING_LOGS, AUDIT_LOGS, TABLES, tableSchema } from './model/schema.js';
export { detectFormat, readSources } from './model/sources/index.js';
export type {
  SourceFormat,
  SourceItem,
  SourceReject,
  SourceRow,
  SourceWarning,
} from './model/sources/types.js';
export { SOURCE_FORMATS, SourceError } from './model/sources/types.js';
export { writeSourceFile } from './model/sources/writers.js';
export { canonicalTime, parseTime } from './model/time.js';
export { LocalBackend, type QueryBackend } from './queries/backend.js';
export { defaultLibraryDir, functionPreamble, loadLibrary, type QueryLibrary } from './queries/library.js';
export {
  escapeString,
  formatParameter,
  PARAMETER_TYPES,
  type ParameterDef,
  ParameterError,
  type ParameterType,
  type ParameterValue,
  parseParameterValue,
  stringLiteral,
} from './queries/parameters.js';
export {
  bindParameters,
  type PreparedQuery,
  parameterTexts,
  prepareQuery,
  substitute,
} from './queries/prepare.js';
export { type FunctionDef, parseQueryFile, type QueryDef, QueryFileError } from './queries/query-file.js';
export { parseTimeRange, type TimeRangeValue } from './queries/time-range.js';
export { checkLock, currentEntries, LOCK_FILE, type Lock } from './queries/version-lock.js';
export {
  defaultReportsDir,
  loadReports,
  parseReportDefinition,
  type ReportDefinition,
  ReportDefinitionError,
} from './reports/definition.js';
export type * from './reports/model.js';
export { renderCsv } from './reports/render-csv.js';
export { renderHtml } from './reports/render-html.js';
export { renderMarkdown } from './reports/render-markdown.js';
export { runReport } from './reports/run.js';
export { type StringColumn, stringColumn } from './store/column-access.js';
export { tableRows } from './store/columns.js';
export { type FileImportOptions, importFiles, type SourceFile } from './store/file-import.js';
export { type ImportOptions, type ImportSummary, importItems } from './store/importer.js';
export type { ReadRange, TableInfo, WorkspaceInfo } from './store/reader.js';
export { loadTable, loadTableAsync, partitionFiles, readRows, workspaceInfo } from './store/reader.js';
export { summarizeWorkspace, type WorkspaceSummary } from './store/summary.js';
export { defaultWorkspaceDir, Workspace } from './store/workspace.js';
export { importGeneratedTenant } from './tenant-import.js';
