"""DXF floor plans into rooms: read outlines and labels (`read`, `labels`), units
(`units`), georeferencing (`georef`), the floor's checks (`floor`) and the import itself
(`rooms.import_dxf`), reported like every other import (`report`). Nothing is imported
here, so `gis-app` starts without loading ezdxf."""
