ALTER INDEX events_id_idx ATTACH PARTITION events_2024_id_idx;
