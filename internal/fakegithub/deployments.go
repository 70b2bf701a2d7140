package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

type deployment struct {
	id          int64
	sha         string
	ref         string
	task        string
	environment string
	description string
	creator     *user
	createdAt   time.Time
	updatedAt   time.Time
	statuses    []*deploymentStatus // oldest first
}

type deploymentStatus struct {
	id             int64
	state          string
	description    string
	environment    string
	environmentURL string
	logURL         string
	creator        *user
	createdAt      time.Time
}

// Deployment is a deployment, as returned by accessors and taken by
// AddDeployment.
type Deployment struct {
	ID          int64
	SHA         string // default: the commit Ref names
	Ref         string // default: the default branch
	Task        string // default: "deploy"
	Environment string // default: "production"
	Description string
	Creator     string // login; default DefaultLogin
	CreatedAt   time.Time
}

// DeploymentStatus is a status of a deployment, as returned by accessors
// and taken by AddDeploymentStatus.
type DeploymentStatus struct {
	ID             int64
	State          string // error, failure, inactive, in_progress, queued, pending or success
	Description    string
	Environment    string // default: the deployment's
	EnvironmentURL string
	LogURL         string
	Creator        string // login; default DefaultLogin
	CreatedAt      time.Time
}

func (d *deployment) export() Deployment {
	return Deployment{ID: d.id, SHA: d.sha, Ref: d.ref, Task: d.task, Environment: d.environment,
		Description: d.description, Creator: d.creator.login, CreatedAt: d.createdAt}
}

func (st *deploymentStatus) export() DeploymentStatus {
	return DeploymentStatus{ID: st.id, State: st.state, Description: st.description, Environment: st.environment,
		EnvironmentURL: st.environmentURL, LogURL: st.logURL, Creator: st.creator.login, CreatedAt: st.createdAt}
}

// AddDeployment records a deployment, as a deploy workflow would, and
// returns it with its ID.
func (r *Repo) AddDeployment(d Deployment) Deployment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	x := &deployment{id: r.s.nextID("deployment"), sha: d.SHA, ref: orDefault(d.Ref, r.defaultBranch),
		task: orDefault(d.Task, "deploy"), environment: orDefault(d.Environment, "production"),
		description: d.Description, creator: r.s.userLocked(orDefault(d.Creator, DefaultLogin)),
		createdAt: d.CreatedAt.UTC().Truncate(time.Second)}
	if x.sha == "" {
		sha, ok := r.resolveCommitish(x.ref)
		if !ok {
			panic(fmt.Sprintf("fakegithub: AddDeployment: %s has no commit %q", r.FullName(), x.ref))
		}
		x.sha = sha
	}
	if x.createdAt.IsZero() {
		x.createdAt = r.s.clock()
	}
	x.updatedAt = x.createdAt
	r.deployments = append(r.deployments, x)
	return x.export()
}

var deploymentStates = map[string]bool{"error": true, "failure": true, "inactive": true, "in_progress": true,
	"queued": true, "pending": true, "success": true}

// AddDeploymentStatus adds a status to a deployment and returns it.
func (r *Repo) AddDeploymentStatus(deploymentID int64, st DeploymentStatus) DeploymentStatus {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	d := r.findDeployment(deploymentID)
	if d == nil {
		panic(fmt.Sprintf("fakegithub: AddDeploymentStatus: no deployment %d", deploymentID))
	}
	if !deploymentStates[st.State] {
		panic(fmt.Sprintf("fakegithub: AddDeploymentStatus: invalid state %q", st.State))
	}
	x := &deploymentStatus{id: r.s.nextID("deployment_status"), state: st.State, description: st.Description,
		environment: orDefault(st.Environment, d.environment), environmentURL: st.EnvironmentURL,
		logURL: st.LogURL, creator: r.s.userLocked(orDefault(st.Creator, DefaultLogin)),
		createdAt: st.CreatedAt.UTC().Truncate(time.Second)}
	if x.createdAt.IsZero() {
		x.createdAt = r.s.clock()
	}
	d.statuses = append(d.statuses, x)
	d.updatedAt = x.createdAt
	return x.export()
}

// Deployments returns every deployment, newest first.
func (r *Repo) Deployments() []Deployment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Deployment
	for i := len(r.deployments) - 1; i >= 0; i-- {
		out = append(out, r.deployments[i].export())
	}
	return out
}

// DeploymentStatuses returns the statuses of a deployment, newest first.
func (r *Repo) DeploymentStatuses(deploymentID int64) []DeploymentStatus {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []DeploymentStatus
	if d := r.findDeployment(deploymentID); d != nil {
		for i := len(d.statuses) - 1; i >= 0; i-- {
			out = append(out, d.statuses[i].export())
		}
	}
	return out
}

func (r *Repo) findDeployment(id int64) *deployment {
	for _, d := range r.deployments {
		if d.id == id {
			return d
		}
	}
	return nil
}

type deploymentJSON struct {
	URL                   string          `json:"url"`
	ID                    int64           `json:"id"`
	NodeID                string          `json:"node_id"`
	SHA                   string          `json:"sha"`
	Ref                   string          `json:"ref"`
	Task                  string          `json:"task"`
	Payload               json.RawMessage `json:"payload"`
	OriginalEnvironment   string          `json:"original_environment"`
	Environment           string          `json:"environment"`
	Description           *string         `json:"description"`
	Creator               *userJSON       `json:"creator"`
	CreatedAt             ts              `json:"created_at"`
	UpdatedAt             ts              `json:"updated_at"`
	StatusesURL           string          `json:"statuses_url"`
	RepositoryURL         string          `json:"repository_url"`
	TransientEnvironment  bool            `json:"transient_environment"`
	ProductionEnvironment bool            `json:"production_environment"`
}

func (c *call) deploymentJSON(d *deployment) deploymentJSON {
	api := c.api(fmt.Sprintf("%s/deployments/%d", c.repo.path(), d.id))
	return deploymentJSON{
		URL: api, ID: d.id, NodeID: nodeID("Deployment", d.id), SHA: d.sha, Ref: d.ref, Task: d.task,
		Payload: json.RawMessage(`{}`), OriginalEnvironment: d.environment, Environment: d.environment,
		Description: nullable(d.description), Creator: c.userJSON(d.creator),
		CreatedAt: timestamp(d.createdAt), UpdatedAt: timestamp(d.updatedAt),
		StatusesURL: api + "/statuses", RepositoryURL: c.api(c.repo.path()),
		ProductionEnvironment: d.environment == "production",
	}
}

type deploymentStatusJSON struct {
	URL            string    `json:"url"`
	ID             int64     `json:"id"`
	NodeID         string    `json:"node_id"`
	State          string    `json:"state"`
	Creator        *userJSON `json:"creator"`
	Description    string    `json:"description"`
	Environment    string    `json:"environment"`
	TargetURL      string    `json:"target_url"`
	CreatedAt      ts        `json:"created_at"`
	UpdatedAt      ts        `json:"updated_at"`
	DeploymentURL  string    `json:"deployment_url"`
	RepositoryURL  string    `json:"repository_url"`
	EnvironmentURL string    `json:"environment_url"`
	LogURL         string    `json:"log_url"`
}

func (c *call) deploymentStatusJSON(d *deployment, st *deploymentStatus) deploymentStatusJSON {
	dep := c.api(fmt.Sprintf("%s/deployments/%d", c.repo.path(), d.id))
	return deploymentStatusJSON{
		URL: fmt.Sprintf("%s/statuses/%d", dep, st.id), ID: st.id, NodeID: nodeID("DeploymentStatus", st.id),
		State: st.state, Creator: c.userJSON(st.creator), Description: st.description,
		Environment: st.environment, TargetURL: st.logURL,
		CreatedAt: timestamp(st.createdAt), UpdatedAt: timestamp(st.createdAt),
		DeploymentURL: dep, RepositoryURL: c.api(c.repo.path()),
		EnvironmentURL: st.environmentURL, LogURL: st.logURL,
	}
}

// handleListDeployments lists deployments newest first, filtered by sha,
// ref, task and environment.
func handleListDeployments(c *call) {
	q := c.query
	out := []deploymentJSON{}
	for i := len(c.repo.deployments) - 1; i >= 0; i-- {
		d := c.repo.deployments[i]
		if (q.Get("sha") == "" || q.Get("sha") == d.sha) && (q.Get("ref") == "" || q.Get("ref") == d.ref) &&
			(q.Get("task") == "" || q.Get("task") == d.task) &&
			(q.Get("environment") == "" || q.Get("environment") == d.environment) {
			out = append(out, c.deploymentJSON(d))
		}
	}
	c.json(http.StatusOK, paginate(c, out))
}

func (c *call) deploymentParam() (*deployment, bool) {
	id, ok := c.pathInt("id")
	if !ok {
		return nil, false
	}
	d := c.repo.findDeployment(id)
	if d == nil {
		c.notFound()
	}
	return d, d != nil
}

func handleGetDeployment(c *call) {
	if d, ok := c.deploymentParam(); ok {
		c.json(http.StatusOK, c.deploymentJSON(d))
	}
}

// handleListDeploymentStatuses lists a deployment's statuses newest first.
func handleListDeploymentStatuses(c *call) {
	d, ok := c.deploymentParam()
	if !ok {
		return
	}
	out := []deploymentStatusJSON{}
	for i := len(d.statuses) - 1; i >= 0; i-- {
		out = append(out, c.deploymentStatusJSON(d, d.statuses[i]))
	}
	c.json(http.StatusOK, paginate(c, out))
}
