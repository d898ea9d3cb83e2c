import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="pos",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(["pos.tables"], exclude_imported=True),
    migration_dependencies=["donations.piccolo_app", "lovebank.piccolo_app"],
    commands=[],
)
