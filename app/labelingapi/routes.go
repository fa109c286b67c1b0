package labelingapi

import (
	"github.com/labstack/echo/v4"
)

// Register adds the labeling routes; each handler checks its own permission.
//
// Review apps, sessions and items, on Databricks' resource model:
//
//	GET    /api/2.0/managed-evals/review-apps?filter=experiment_id=<id>     READ
//	POST   /api/2.0/managed-evals/review-apps                             READ (get-or-create)
//	GET    /api/2.0/managed-evals/review-apps/:app                        READ
//	PATCH  /api/2.0/managed-evals/review-apps/:app                        EDIT
//	GET    …/review-apps/:app/labeling-sessions                           READ
//	POST   …/review-apps/:app/labeling-sessions                           EDIT
//	GET    …/review-apps/:app/labeling-sessions/:sid                      READ
//	PATCH  …/review-apps/:app/labeling-sessions/:sid                      EDIT
//	DELETE …/review-apps/:app/labeling-sessions/:sid                      EDIT
//	GET    …/labeling-sessions/:sid/items                                 READ
//	POST   …/labeling-sessions/:sid/items:batchCreate                     EDIT
//	GET    …/labeling-sessions/:sid/items/:item                           READ
//	PATCH  …/labeling-sessions/:sid/items/:item                           EDIT
//	DELETE …/labeling-sessions/:sid/items/:item                           EDIT
//
// Assay's own, under /api/assay/v1:
//
//	GET    /experiments/:experiment_id/sessions                           READ
//	GET    /sessions/:sid                                                 READ, or assigned
//	POST   /sessions/:sid/traces                                          EDIT
//	POST   /sessions/:sid/records                                         EDIT
//	PUT    /sessions/:sid/assigned-users                                  EDIT
//	POST   /sessions/:sid/sync                                            EDIT
//	GET    /sessions/:sid/stats                                           READ
//	GET    /sessions/:sid/export.jsonl                                    READ
//	GET    /review/sessions                                               signed in (my sessions)
//	POST   /review/sessions/:sid/next                                     assigned (or MANAGE)
//	GET    /review/sessions/:sid/items                                    assigned (or MANAGE)
//	GET    /review/sessions/:sid/items/:item                              assigned (or MANAGE)
//	POST   /review/sessions/:sid/items/:item/submit                       assigned (or MANAGE)
//	POST   /review/sessions/:sid/items/:item/skip                         assigned (or MANAGE)
//	GET    /notifications                                                 signed in (mine)
//	POST   /notifications/:id/read                                        signed in (mine)
//	GET    /audit                                                         admin
//	GET    /experiments/:experiment_id/permissions                        MANAGE
//	POST   /experiments/:experiment_id/permissions                        MANAGE
//	DELETE /experiments/:experiment_id/permissions/:grant                 MANAGE
func (a *API) Register(e *echo.Echo) {
	m := e.Group("/api/2.0/managed-evals")
	m.GET("/review-apps", a.listReviewApps)
	m.POST("/review-apps", a.createReviewApp)
	m.GET("/review-apps/:app", a.getReviewApp)
	m.PATCH("/review-apps/:app", a.patchReviewApp)
	s := m.Group("/review-apps/:app/labeling-sessions")
	s.GET("", a.listSessions)
	s.POST("", a.createSession)
	s.GET("/:sid", a.getSession)
	s.PATCH("/:sid", a.patchSession)
	s.DELETE("/:sid", a.deleteSession)
	s.GET("/:sid/items", a.listItems)
	s.POST(`/:sid/items\:batchCreate`, a.batchCreateItems)
	s.POST(`/:sid/items%3AbatchCreate`, a.batchCreateItems)
	s.GET("/:sid/items/:item", a.getItem)
	s.PATCH("/:sid/items/:item", a.patchItem)
	s.DELETE("/:sid/items/:item", a.deleteItem)

	g := e.Group("/api/assay/v1")
	g.GET("/experiments/:experiment_id/sessions", a.experimentSessions)
	g.GET("/sessions/:sid", a.getAssaySession)
	g.POST("/sessions/:sid/traces", a.addTraces)
	g.POST("/sessions/:sid/records", a.addRecords)
	g.PUT("/sessions/:sid/assigned-users", a.setAssignedUsers)
	g.POST("/sessions/:sid/sync", a.sync)
	g.GET("/sessions/:sid/stats", a.sessionStats)
	g.GET("/sessions/:sid/export.jsonl", a.exportSession)
	g.GET("/review/sessions", a.mySessions)
	g.POST("/review/sessions/:sid/next", a.next)
	g.GET("/review/sessions/:sid/items", a.myItems)
	g.GET("/review/sessions/:sid/items/:item", a.reviewItem)
	g.POST("/review/sessions/:sid/items/:item/submit", a.submit)
	g.POST("/review/sessions/:sid/items/:item/skip", a.skip)
	g.GET("/notifications", a.notifications)
	g.POST("/notifications/:id/read", a.readNotification)
	g.GET("/audit", a.audit)
	g.GET("/experiments/:experiment_id/permissions", a.listGrants)
	g.POST("/experiments/:experiment_id/permissions", a.grant)
	g.DELETE("/experiments/:experiment_id/permissions/:grant", a.revoke)
}
