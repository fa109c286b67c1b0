// Datasets: the experiment's evaluation datasets, a dataset's records, JSONL download.
import { useEffect, useState } from 'react';
import { datasetJsonlUrl, getDatasetRecords, searchDatasets } from '../api/endpoints';
import type { Dataset, DatasetRecord } from '../api/types';
import { JsonView } from '../components/Content';
import { Button, Dialog, EmptyState, ErrorState, Spinner, useAsync } from '../components/ui';
import { fmtTime, plural, truncate } from '../lib/format';
import { Link, navigate } from '../router';

export default function DatasetsPage({ experimentId, datasetId }: { experimentId: string; datasetId?: string }) {
  const datasets = useAsync(() => searchDatasets(experimentId), [experimentId]);
  const base = `/experiments/${encodeURIComponent(experimentId)}/datasets`;
  useEffect(() => {
    if (!datasetId && datasets.data && datasets.data.length > 0) navigate(`${base}/${encodeURIComponent(datasets.data[0].dataset_id)}`, { replace: true });
  }, [datasetId, datasets.data, base]);
  const current = datasets.data?.find((d) => d.dataset_id === datasetId);
  return (
    <div className="split">
      <aside className="split-list" aria-label="Datasets">
        <div className="split-list-head">
          <h1>Datasets</h1>
        </div>
        {datasets.loading && !datasets.data && <Spinner />}
        {datasets.error ? <ErrorState error={datasets.error} onRetry={datasets.reload} /> : null}
        {datasets.data && datasets.data.length === 0 && (
          <EmptyState title="No datasets yet">
            Open a labeling session and use <strong>Sync to dataset</strong>, or create one with <code>mlflow.genai.datasets.create_dataset</code>.
          </EmptyState>
        )}
        <ul className="list">
          {datasets.data?.map((d) => (
            <li key={d.dataset_id}>
              <Link to={`${base}/${encodeURIComponent(d.dataset_id)}`} className={`list-item ${d.dataset_id === datasetId ? 'list-item-on' : ''}`} aria-current={d.dataset_id === datasetId ? 'page' : undefined}>
                <span className="list-item-title">{d.name}</span>
                <span className="muted small">updated {fmtTime(d.last_update_time)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </aside>
      <section className="split-main">
        {datasetId && current && <DatasetDetail key={datasetId} dataset={current} />}
        {datasetId && datasets.data && !current && <EmptyState title="Dataset not found in this experiment" />}
      </section>
    </div>
  );
}

function DatasetDetail({ dataset }: { dataset: Dataset }) {
  const [tokens, setTokens] = useState<string[]>(['']);
  const page = useAsync(() => getDatasetRecords(dataset.dataset_id, tokens[tokens.length - 1] || undefined), [dataset.dataset_id, tokens]);
  const [open, setOpen] = useState<DatasetRecord | null>(null);
  return (
    <div>
      <div className="page-header">
        <div>
          <h1>{dataset.name}</h1>
          <div className="muted small meta-line">
            <code>{dataset.dataset_id}</code>
            {dataset.created_by && <span>created by {dataset.created_by}</span>}
            <span>updated {fmtTime(dataset.last_update_time)}</span>
            {dataset.digest && <span>digest {dataset.digest.slice(0, 12)}</span>}
          </div>
        </div>
        <div className="page-actions">
          <a className="btn btn-primary" href={datasetJsonlUrl(dataset.dataset_id)} download={`${dataset.name}.jsonl`}>
            Download JSONL
          </a>
        </div>
      </div>
      {page.loading && !page.data && <Spinner label="Loading records…" />}
      {page.error ? <ErrorState error={page.error} onRetry={page.reload} /> : null}
      {page.data && page.data.records.length === 0 && <EmptyState title="This dataset has no records yet" />}
      {page.data && page.data.records.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="records-table">
              <thead>
                <tr>
                  <th>Inputs</th>
                  <th>Expectations</th>
                  <th>Source</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {page.data.records.map((r) => (
                  <tr key={r.dataset_record_id} className="clickable" onClick={() => setOpen(r)}>
                    <td className="preview">
                      <button type="button" className="link" onClick={(e) => { e.stopPropagation(); setOpen(r); }}>
                        {truncate(JSON.stringify(r.inputs), 100)}
                      </button>
                    </td>
                    <td>
                      <div className="chips">
                        {Object.entries(r.expectations ?? {}).map(([k, v]) => (
                          <span className="chip chip-assess" key={k} title={JSON.stringify(v)}>
                            {k}: {truncate(typeof v === 'string' ? v : JSON.stringify(v), 40)}
                          </span>
                        ))}
                      </div>
                    </td>
                    <td className="nowrap small">{r.source_type ?? '—'} {r.source_id && <code className="muted">{truncate(r.source_id, 20)}</code>}</td>
                    <td className="nowrap muted small">{fmtTime(r.last_update_time)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <Button disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
              ← Previous
            </Button>
            <span className="muted">{plural(page.data.records.length, 'record')} on this page</span>
            <Button disabled={!page.data.next} onClick={() => setTokens([...tokens, page.data!.next!])}>
              Next →
            </Button>
          </div>
        </>
      )}
      {open && (
        <Dialog title="Record" wide onClose={() => setOpen(null)}>
          <h3 className="section-label">Inputs</h3>
          <JsonView value={open.inputs} />
          {open.outputs !== undefined && (
            <>
              <h3 className="section-label">Outputs</h3>
              <JsonView value={open.outputs} />
            </>
          )}
          <h3 className="section-label">Expectations</h3>
          <JsonView value={open.expectations ?? {}} />
          <h3 className="section-label">Source</h3>
          <JsonView value={open.source ?? { source_type: open.source_type, source_id: open.source_id }} />
        </Dialog>
      )}
    </div>
  );
}
