"""Claim segmentation for analysts: contacts -> embeddings -> segments (stable ids) -> HTML report and tables.

    result, paths = run_segmentation("demo_corpus", Path("reports/segments.html"))   # what `claimtriage segment` does
    result = segment_contacts(contacts, model, SegmentConfig())                      # in memory, no files
"""

from claimtriage.evaluation.segments.encoding import default_cache_path
from claimtriage.evaluation.segments.pipeline import SegmentResult, segment_contacts
from claimtriage.evaluation.segments.run import SegmentPaths, run_segmentation, write_outputs
from claimtriage.evaluation.segments.segment import SegmentConfig

__all__ = ["SegmentConfig", "SegmentPaths", "SegmentResult", "default_cache_path", "run_segmentation",
           "segment_contacts", "write_outputs"]
